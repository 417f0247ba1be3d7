using FluentMigrator;

namespace Ursula.Migrations;

/// <summary>Streams, records, producers and the node's applied index (sql/0001_streams.sql).</summary>
[Migration(1, "Streams, records, producers and node state")]
public sealed class M0001_Streams : Migration
{
    public override void Up() => Execute.Sql(SqlScript.Load("0001_streams.sql"));

    public override void Down()
    {
        Execute.Sql("drop table if exists stream_producers; drop table if exists stream_records; drop table if exists streams; drop table if exists ursula_node_state;");
    }
}

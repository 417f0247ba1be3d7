using FluentMigrator;

namespace Ursula.Migrations;

/// <summary>The cold tier's manifest and garbage list, archive frontiers on streams (sql/0002_archive.sql).</summary>
[Migration(2, "Archive manifest, archive frontiers, producer epoch and sequence of records")]
public sealed class M0002_Archive : Migration
{
    public override void Up() => Execute.Sql(SqlScript.Load("0002_archive.sql"));

    public override void Down()
    {
        Execute.Sql(
            """
            drop table if exists archive_garbage;
            drop table if exists archive_manifest;
            alter table stream_records drop column if exists producer_seq;
            alter table stream_records drop column if exists producer_epoch;
            alter table streams drop column if exists hot_bytes;
            alter table streams drop column if exists archived_to;
            """);
    }
}

using FluentMigrator;

namespace Ursula.Migrations;

/// <summary>Subscriptions and the webhook signing key (sql/0003_subscriptions.sql).</summary>
[Migration(3, "Subscriptions and the webhook signing key")]
public sealed class M0003_Subscriptions : Migration
{
    public override void Up() => Execute.Sql(SqlScript.Load("0003_subscriptions.sql"));

    public override void Down() => Execute.Sql("drop table if exists subscription_keys; drop table if exists subscriptions;");
}

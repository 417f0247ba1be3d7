// Runs the schema migrations in-process against one PostgreSQL database.
using FluentMigrator.Runner;
using Microsoft.Extensions.DependencyInjection;

namespace Ursula.Migrations;

public static class SchemaMigrator
{
    /// <summary>Brings the database to the newest schema; safe to run on every start.</summary>
    public static void MigrateUp(string connectionString)
    {
        using var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner => runner
                .AddPostgres()
                .WithGlobalConnectionString(connectionString)
                .ScanIn(typeof(SchemaMigrator).Assembly).For.Migrations())
            .BuildServiceProvider(validateScopes: false);
        using var scope = services.CreateScope();
        scope.ServiceProvider.GetRequiredService<IMigrationRunner>().MigrateUp();
    }
}

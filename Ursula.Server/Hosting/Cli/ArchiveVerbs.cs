// The archive's verbs. `sql "SELECT ..."` runs DuckDB over the archive with a `messages` view over
// every archived object and prints the result; `restore` rebuilds a node's streams from the archive
// alone into an empty PostgreSQL, the disaster-recovery path when all PostgreSQL data is lost.
using Microsoft.Extensions.Options;
using Ursula.Archive.Reading;
using Ursula.Archive.Restore;
using Ursula.Archive.Sql;
using Ursula.Server.Replication.Archiving;
using Ursula.Server.State.Postgres;

namespace Ursula.Server.Hosting.Cli;

public static class ArchiveVerbs
{
    public static async Task<int> SqlAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string> arguments)
    {
        if (arguments is not [var query])
        {
            throw new CommandLineException("usage: sql \"SELECT ...\" | sql @FILE.sql [--format table|csv|json] [--data-dir PATH | --archive-dir PATH | --s3-bucket ...]");
        }

        if (query.StartsWith('@'))
        {
            query = File.Exists(query[1..]) ? await File.ReadAllTextAsync(query[1..]) : throw new CommandLineException($"no such query file: {query[1..]}");
        }

        var format = (settings.TryGetValue("Format", out var f) ? f : null)?.ToLowerInvariant() switch
        {
            null or "table" => SqlOutputFormat.Table,
            "csv" => SqlOutputFormat.Csv,
            "json" => SqlOutputFormat.Json,
            var other => throw new CommandLineException($"--format must be table, csv or json, got '{other}'"),
        };

        var (node, archive) = Bind(settings);
        var store = ServerHost.OpenStore(archive, node.FullDataDir);
        try
        {
            using var sql = await ArchiveSql.OpenAsync(store, Path.Combine(node.FullDataDir, "archive-cache"), CancellationToken.None);
            var result = await sql.QueryAsync(query, CancellationToken.None);
            SqlResultFormatter.Write(Console.Out, result, format);
            return 0;
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            Console.Error.WriteLine($"ursula: {e.Message}");
            return 1;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    public static async Task<int> RestoreAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var (node, archive) = Bind(settings);
        if (Directory.Exists(Path.Combine(node.FullDataDir, "raft", "wal")))
        {
            throw new CommandLineException($"restore rebuilds an empty node: {node.FullDataDir} already has a Raft log (use a fresh --data-dir)");
        }

        var store = ServerHost.OpenStore(archive, node.FullDataDir);
        try
        {
            Directory.CreateDirectory(node.FullDataDir);
            await using var postgres = await ServerHost.StartPostgresAsync(node, CancellationToken.None);
            Migrations.SchemaMigrator.MigrateUp(postgres.ConnectionString);
            var plan = await new ArchiveRestorer(new ArchiveReader(store)).ScanAsync(CancellationToken.None);
            await using var dataSource = Npgsql.NpgsqlDataSource.Create(postgres.ConnectionString);
            var restored = await StreamRestore.WriteAsync(dataSource, plan, CancellationToken.None);
            Console.WriteLine($"ursula: restored {restored.Streams} streams ({restored.Ranges} archived ranges in {plan.Objects.Count} objects) from {store.Description} into PostgreSQL {postgres.Description}");
            foreach (var skipped in restored.Skipped)
            {
                Console.WriteLine($"ursula: not restored: {skipped}");
            }

            if (plan.Unreadable.Count > 0)
            {
                Console.WriteLine($"ursula: {plan.Unreadable.Count} objects could not be read: {string.Join(", ", plan.Unreadable.Select(u => u.Key))}");
            }

            return 0;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static (NodeOptions Node, ArchiveOptions Archive) Bind(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationManager();
        ServerHost.AddConfiguration(configuration, settings);
        var node = ServerHost.BindNodeOptions(configuration);
        var archive = new ArchiveOptions();
        configuration.GetSection(ArchiveOptions.Section).Bind(archive);
        return (node, archive);
    }
}

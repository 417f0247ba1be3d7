// Faults a production PostgreSQL shows a node, injected into one database of a test server:
// every backend terminated (a restart, a failover or an OOM-killed backend, as the node sees it),
// and writes refused for a while (a read-only standby promoted late, a full disk's aftermath).
using Npgsql;

namespace Ursula.Tests.Infrastructure;

public static class PostgresFaults
{
    /// <summary>Terminates every session on the database of <paramref name="connectionString"/>; returns how many.</summary>
    public static async Task<int> TerminateBackendsAsync(string connectionString, CancellationToken cancellationToken)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = await OpenMaintenanceAsync(connectionString, cancellationToken);
        await using var terminate = new NpgsqlCommand(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = @db and pid <> pg_backend_pid()", admin);
        terminate.Parameters.AddWithValue("db", database!);
        return Convert.ToInt32(await terminate.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Makes every new transaction on the database read-only (or lifts that), and terminates the
    /// sessions that exist, so the node's next connections see the change at once.
    /// </summary>
    public static async Task RefuseWritesAsync(string connectionString, bool refuse, CancellationToken cancellationToken)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var admin = await OpenMaintenanceAsync(connectionString, cancellationToken))
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var alter = new NpgsqlCommand(
                refuse ? $"alter database {quoted} set default_transaction_read_only = on" : $"alter database {quoted} reset default_transaction_read_only",
                admin);
            await alter.ExecuteNonQueryAsync(cancellationToken);
        }

        await TerminateBackendsAsync(connectionString, cancellationToken);
    }

    private static async Task<NpgsqlConnection> OpenMaintenanceAsync(string connectionString, CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync(cancellationToken);
        return admin;
    }
}

// Settings for the node-private PostgreSQL server that ManagedPostgres runs.
namespace Ursula.Server.Hosting.Postgres;

public sealed class ManagedPostgresOptions
{
    /// <summary>The node's data directory; the cluster lives in its <c>postgres</c> subdirectory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Names the socket file (<c>.s.PGSQL.&lt;port&gt;</c>); nothing listens on TCP.</summary>
    public int Port { get; set; } = 5432;

    /// <summary>Database created on first start and named in <see cref="ManagedPostgres.ConnectionString"/>.</summary>
    public string Database { get; set; } = "ursula";

    /// <summary>Directory holding <c>initdb</c> and <c>postgres</c>; found automatically when null.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Unprivileged OS account the server runs as when the node runs as root.</summary>
    public string OsUser { get; set; } = "postgres";

    /// <summary>Generous because crash recovery after an unclean stop replays WAL before the server is ready.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a fast shutdown may take before escalating to an immediate one.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>postgresql.conf settings that override the managed defaults (e.g. <c>shared_buffers</c>).</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

// The unprivileged OS account PostgreSQL runs as when the node runs as root.
namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    private sealed record OsAccount(string Name, int Uid, int Gid, string Home);

    private static async Task<OsAccount> LookupAccountAsync(string name, CancellationToken cancellationToken)
    {
        string? entry = null;
        if (FindExecutable("getent") is { } getent)
        {
            // getent also sees accounts from NSS sources other than /etc/passwd (LDAP, sssd, ...).
            var (exitCode, output) = await RunToCompletionAsync(Launcher.AsSelf(getent, ["passwd", name]), cancellationToken);
            entry = exitCode == 0 ? output.Trim() : null;
        }
        else if (File.Exists("/etc/passwd"))
        {
            entry = (await File.ReadAllLinesAsync("/etc/passwd", cancellationToken))
                .FirstOrDefault(line => line.StartsWith(name + ":", StringComparison.Ordinal));
        }

        var fields = entry?.Split(':');
        if (fields is not { Length: >= 7 } || !int.TryParse(fields[2], out var uid) || !int.TryParse(fields[3], out var gid))
        {
            throw new InvalidOperationException(
                $"Ursula runs as root and PostgreSQL refuses to, so the managed PostgreSQL runs as the OS account '{name}', "
                + "which does not exist. Create it (Debian's postgresql package does; otherwise: "
                + $"useradd --system --user-group --home-dir /var/lib/postgresql --shell /usr/sbin/nologin {name}), "
                + "set ManagedPostgresOptions.OsUser to another unprivileged account, or run Ursula as a non-root user.");
        }

        if (uid == 0)
        {
            throw new InvalidOperationException($"The OS account '{name}' is root; PostgreSQL needs an unprivileged account.");
        }

        return new OsAccount(name, uid, gid, fields[5]);
    }

    private static async Task EnsureAccountCanReachAsync(Launcher launcher, string dataDirectory, CancellationToken cancellationToken)
    {
        // access(X_OK) needs search permission on every ancestor, which is exactly what the server needs.
        var (exitCode, _) = await RunToCompletionAsync(
            launcher.AsServiceUser(RequireExecutable("test"), ["-x", dataDirectory]), cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL runs as the OS account '{launcher.UserName}', which cannot reach {dataDirectory}. "
                + "Choose a data directory outside root-only trees such as /root (e.g. /var/lib/ursula), "
                + "or grant it search permission on every parent directory (chmod o+x).");
        }
    }
}

// Locating the PostgreSQL server binaries (initdb, postgres) that match the cluster on disk.
using System.Text.RegularExpressions;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    private const string DebianInstallRoot = "/usr/lib/postgresql";

    private sealed record PostgresBinaries(string Directory, string MajorVersion, string Version)
    {
        public string InitDb => Path.Combine(Directory, "initdb");

        public string Postgres => Path.Combine(Directory, "postgres");
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(?<version>(?<major>\d+)[^\s]*)")]
    private static partial Regex VersionPattern();

    private static async Task<PostgresBinaries> LocateBinariesAsync(
        string? configured, string? clusterVersion, ClusterLayout layout, CancellationToken cancellationToken)
    {
        var candidates = configured is null ? CandidateDirectories() : [Path.GetFullPath(configured)];
        if (configured is not null && !HasServerBinaries(candidates[0]))
        {
            throw new InvalidOperationException($"BinDirectory {candidates[0]} does not contain initdb and postgres.");
        }

        if (candidates.Count == 0)
        {
            throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, postgres) were found neither on PATH nor under "
                + $"{DebianInstallRoot}/*/bin. Install them (Debian/Ubuntu: apt-get install postgresql) "
                + "or set ManagedPostgresOptions.BinDirectory.");
        }

        PostgresBinaries? newest = null;
        foreach (var directory in candidates)
        {
            var binaries = await ProbeAsync(directory, cancellationToken);
            newest ??= binaries;
            // A cluster only runs on the major version that created it, which need not be the newest installed.
            if (binaries is not null && (clusterVersion is null || binaries.MajorVersion == clusterVersion))
            {
                return binaries;
            }
        }

        if (newest is null)
        {
            throw new InvalidOperationException(
                $"Found PostgreSQL binaries in {string.Join(", ", candidates)}, but `postgres -V` failed in all of them.");
        }

        throw new InvalidOperationException(
            $"The cluster in {layout.ClusterDirectory} was created by PostgreSQL {clusterVersion}, but the installed "
            + $"server is PostgreSQL {newest.Version} ({newest.Directory}). Install the PostgreSQL {clusterVersion} "
            + "server binaries, or upgrade the cluster with pg_upgrade.");
    }

    private static List<string> CandidateDirectories()
    {
        var result = new List<string>();
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initDb = new FileInfo(Path.Combine(directory, "initdb"));
            if (!initDb.Exists)
            {
                continue;
            }

            // PATH entries are often symlinks (e.g. /usr/local/bin/initdb); postgres locates its share/ and lib/
            // relative to its real location, so use the directory the link points into.
            var real = initDb.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initDb.FullName;
            var realDirectory = Path.GetDirectoryName(real)!;
            if (HasServerBinaries(realDirectory) && !result.Contains(realDirectory))
            {
                result.Add(realDirectory);
            }
        }

        if (Directory.Exists(DebianInstallRoot))
        {
            var installed = Directory.EnumerateDirectories(DebianInstallRoot)
                .Select(d => (Bin: Path.Combine(d, "bin"), Version: ParseDirectoryVersion(Path.GetFileName(d))))
                .Where(d => d.Version is not null && HasServerBinaries(d.Bin))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin);
            result.AddRange(installed.Where(d => !result.Contains(d)));
        }

        return result;
    }

    private static Version? ParseDirectoryVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "postgres"));

    private static async Task<PostgresBinaries?> ProbeAsync(string directory, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunToCompletionAsync(
            Launcher.AsSelf(Path.Combine(directory, "postgres"), ["-V"]), cancellationToken);
        var match = VersionPattern().Match(output);
        return exitCode == 0 && match.Success
            ? new PostgresBinaries(directory, match.Groups["major"].Value, match.Groups["version"].Value)
            : null;
    }
}

namespace Ursula.Bench.Compare.Machine;

/// <summary>
/// What a fresh Debian machine lacks for the run, installed as root with apt-get (wrk, and the
/// PostgreSQL server binaries of the managed database), then the Release build of Ursula.Server
/// and npm ci of the pinned reference server (and of s3rver when the cold catch-up on S3 runs).
/// </summary>
public static class Prerequisites
{
    public static async Task EnsureAsync(CompareSettings settings, RunLog log, string runDirectory, CancellationToken ct)
    {
        foreach (var tool in new[] { "dotnet", "node", "npm" })
        {
            if (!Shell.OnPath(tool))
            {
                throw new InvalidOperationException($"{tool} is not installed");
            }
        }

        var packages = new List<string>();
        if (!Shell.OnPath(Wrk.WrkRunner.Executable))
        {
            packages.Add("wrk");
        }

        if (PostgresBinary() is null)
        {
            packages.Add("postgresql");
        }

        if (packages.Count > 0)
        {
            await AptInstallAsync(packages, log, Path.Combine(runDirectory, "apt.log"), ct);
        }

        if (settings.SkipBuild)
        {
            log.Line("--skip-build: using the existing Release build of Ursula.Server, bench/reference/node_modules and bench/s3rver/node_modules");
            return;
        }

        log.Line("building Ursula.Server (Release)");
        await RunLoggedAsync("dotnet", ["build", Path.Combine(settings.Repo, "Ursula.Server", "Ursula.Server.csproj"), "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"],
            settings.Repo, Path.Combine(runDirectory, "build.log"), "the build of Ursula.Server", ct);
        log.Line("installing the reference server (npm ci in bench/reference)");
        await RunLoggedAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
            Path.Combine(settings.Repo, "bench", "reference"), Path.Combine(runDirectory, "npm.log"), "npm ci in bench/reference", ct);
        if (settings.Runs("cold-catchup-s3") && settings.Systems.Contains(Systems.SystemCatalog.UrsulaSingle))
        {
            log.Line("installing s3rver for the cold catch-up (npm ci in bench/s3rver)");
            await RunLoggedAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
                Path.Combine(settings.Repo, "bench", "s3rver"), Path.Combine(runDirectory, "npm-s3rver.log"), "npm ci in bench/s3rver", ct);
        }
    }

    /// <summary>The newest PostgreSQL server binary (Debian keeps it off PATH), or null.</summary>
    public static string? PostgresBinary()
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var newest = Directory.EnumerateDirectories(root)
                .Select(d => Path.Combine(d, "bin", "postgres"))
                .Where(File.Exists)
                .OrderBy(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var v) ? v : 0)
                .LastOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return Shell.OnPath("postgres") ? "postgres" : null;
    }

    private static async Task AptInstallAsync(IReadOnlyList<string> packages, RunLog log, string logPath, CancellationToken ct)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"missing {string.Join(", ", packages)}; run as root to let the run install them (apt-get)");
        }

        log.Line($"installing {string.Join(", ", packages)} (apt-get)");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[] install = ["install", "-y", "-qq", "--no-install-recommends", .. packages];
        var first = await Shell.RunAsync("apt-get", install, ct, environment: env);
        if (first is { ExitCode: 0 })
        {
            await File.AppendAllTextAsync(logPath, first.Value.Output, ct);
            return;
        }

        // A fresh machine has no package lists yet.
        var update = await Shell.RunAsync("apt-get", ["update", "-qq"], ct, environment: env);
        var second = await Shell.RunAsync("apt-get", install, ct, environment: env);
        await File.AppendAllTextAsync(logPath, $"{first?.Output}\n{update?.Output}\n{second?.Output}", ct);
        if (second is not { ExitCode: 0 })
        {
            throw new InvalidOperationException($"apt-get install {string.Join(' ', packages)} failed (log: {logPath})");
        }
    }

    private static async Task RunLoggedAsync(string file, IEnumerable<string> args, string directory, string logPath, string what, CancellationToken ct)
    {
        var result = await Shell.RunAsync(file, args, ct, directory)
            ?? throw new InvalidOperationException($"{what}: cannot start {file}");
        await File.WriteAllTextAsync(logPath, result.Output, ct);
        if (result.ExitCode != 0)
        {
            var tail = string.Join('\n', result.Output.Split('\n').TakeLast(30));
            throw new InvalidOperationException($"{what} failed (exit {result.ExitCode}, log: {logPath}):\n{tail}");
        }
    }
}

// The npm package folders the tests use (the conformance suite, s3rver, the reference server),
// found above the test binaries, and installed from their lock files when they are not yet.
using System.Diagnostics;

namespace Ursula.Tests.Infrastructure;

public static class NpmPackageDirectory
{
    /// <summary>The repository folder (e.g. "Ursula.Tests/Conformance/suite") that holds a package.json, found above the test binaries.</summary>
    public static string Find(string relativePath)
    {
        var parts = relativePath.Split('/');
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Runs npm ci in <paramref name="directory"/> unless node_modules/<paramref name="marker"/> exists.</summary>
    public static async Task EnsureInstalledAsync(string directory, string marker, CancellationToken cancellationToken)
    {
        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(Path.Combine(directory, "node_modules", marker)))
            {
                return;
            }

            var info = new ProcessStartInfo("npm") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
            {
                info.ArgumentList.Add(arg);
            }

            using var npm = Process.Start(info) ?? throw new InvalidOperationException("Could not start npm.");
            var stdout = npm.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
            await npm.WaitForExitAsync(cancellationToken);
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {directory}:\n{await stdout}{await stderr}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }
}

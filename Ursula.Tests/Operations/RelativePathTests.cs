// `dotnet run --project Ursula.Server -- --data-dir ./x` from another directory puts ./x in that
// directory, not under the project (the content root), as an operator reading the README expects.
using System.Diagnostics;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class RelativePathTests
{
    [Fact]
    public async Task A_relative_data_dir_resolves_against_the_directory_dotnet_run_was_started_in()
    {
        var ct = TestContext.Current.CancellationToken;
        var started = Path.Combine(Path.GetTempPath(), $"ursula-cwd-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(started);
        var name = $"rel-data-{Guid.NewGuid().ToString("N")[..8]}";
        var project = Path.Combine(Repository.Root, "Ursula.Server");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = started,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "--project", project, "-c", configuration, "--no-build", "--no-restore", "--", "--data-dir", $"./{name}", "--postgres", "Host=/nonexistent-ursula-test;Timeout=1" })
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var run = Process.Start(info)!;
            var output = run.StandardOutput.ReadToEndAsync(ct);
            var errors = run.StandardError.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromMinutes(2));
            await run.WaitForExitAsync(limit.Token);

            // The node creates its data directory first, then fails on the unreachable PostgreSQL.
            Assert.True(Directory.Exists(Path.Combine(started, name)), $"no {name} in {started}:\n{await output}\n{await errors}");
            Assert.False(Directory.Exists(Path.Combine(project, name)), $"{name} was created under the project directory");
        }
        finally
        {
            Directory.Delete(started, recursive: true);
            if (Directory.Exists(Path.Combine(project, name)))
            {
                Directory.Delete(Path.Combine(project, name), recursive: true);
            }
        }
    }
}

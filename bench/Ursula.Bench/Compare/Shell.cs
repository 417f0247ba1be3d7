using System.Diagnostics;

namespace Ursula.Bench.Compare;

/// <summary>Short helper commands (version queries, builds, installs): run to completion, output captured.</summary>
public static class Shell
{
    /// <summary>Standard output plus error of a command, or null if it cannot be started.</summary>
    public static async Task<string?> CaptureAsync(string file, IEnumerable<string> args, CancellationToken ct, string? workingDirectory = null)
    {
        var result = await RunAsync(file, args, ct, workingDirectory);
        return result?.Output;
    }

    public static async Task<(int ExitCode, string Output)?> RunAsync(
        string file, IEnumerable<string> args, CancellationToken ct, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = Systems.ChildProcess.StartInfo(file, args, environment, workingDirectory);
        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        if (process is null)
        {
            return null;
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }

    public static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));
}

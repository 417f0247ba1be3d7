using System.Globalization;
using System.Net.Sockets;

namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// s3rver (npm, pinned in bench/s3rver, installed by npm ci there) as the S3 endpoint of the cold
/// catch-up (S3) workload: a node process on a loopback port storing into a directory, with the
/// bucket created at startup (--configure-bucket). Its DES-encrypted list tokens need OpenSSL's
/// legacy provider. Credentials: any well-formed signature of access key S3RVER, secret S3RVER.
/// </summary>
public static class S3rverProcess
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Region = "us-east-1";

    public static string Script(string repo) => Path.Combine(repo, "bench", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");

    /// <summary>Starts s3rver and waits until it accepts connections.</summary>
    public static async Task<ChildProcess> StartAsync(
        string repo, int port, string directory, string bucket, string logPath, TimeSpan timeout, CancellationToken ct)
    {
        var script = Script(repo);
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"no s3rver at {script}: run `npm ci` in bench/s3rver (compare does it unless --skip-build)");
        }

        Directory.CreateDirectory(directory);
        var process = ChildProcess.Start("s3rver", "node",
            ["--openssl-legacy-provider", script, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent", "--configure-bucket", bucket],
            logPath);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                var (code, tail) = (process.ExitCode, process.Tail());
                await process.DisposeAsync();
                throw new InvalidOperationException($"s3rver exited with {code} while starting:\n{tail}");
            }

            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port, ct);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct);
            }
            catch (SocketException)
            {
                await process.DisposeAsync();
                throw new TimeoutException($"s3rver did not listen on port {port} within {timeout.TotalSeconds:0}s");
            }
        }
    }
}

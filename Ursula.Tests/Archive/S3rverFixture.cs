// A real S3-compatible server for the archive tests: s3rver (npm, pinned in s3/package-lock.json)
// as a node child process on a free loopback port, storing into a temporary directory. It can be
// stopped and started again on the same port and directory, which is how the tests take S3 down.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Ursula.Archive.Storage;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Archive;

public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "ursula-archive";
    private const string AccessKey = "S3RVER";
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"ursula-s3rver-{Guid.NewGuid():N}");
    private readonly StringBuilder output = new();
    private Process? process;

    public int Port { get; } = FreePort.Next();

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public static string PackageDirectory { get; } = NpmPackageDirectory.Find("Ursula.Tests/Archive/s3");

    public async ValueTask InitializeAsync()
    {
        await EnsureInstalledAsync(CancellationToken.None);
        Directory.CreateDirectory(directory);
        await StartAsync(CancellationToken.None);
        using var store = CreateStore();
        await store.EnsureBucketAsync(CancellationToken.None);
    }

    /// <summary>A store on the fixture's bucket under its own key prefix, so tests do not see each other's objects.</summary>
    public S3ObjectStore CreateStore(string? prefix = null, int maxErrorRetry = 1) => new(new S3StoreOptions
    {
        Bucket = Bucket,
        Prefix = prefix ?? $"test-{Guid.NewGuid():N}",
        Endpoint = Endpoint,
        AccessKeyId = AccessKey,
        SecretAccessKey = AccessKey,
        MaxErrorRetry = maxErrorRetry,
        RequestTimeout = TimeSpan.FromSeconds(10),
    });

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (process is { HasExited: false })
        {
            return;
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = PackageDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver encrypts list continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
        foreach (var arg in new[] { "--openssl-legacy-provider", Path.Combine("node_modules", "s3rver", "bin", "s3rver.js"), "-d", directory, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
        {
            info.ArgumentList.Add(arg);
        }

        process?.Dispose();
        process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node for s3rver.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException($"s3rver did not listen on {Port}:\n{Output}");
    }

    /// <summary>Kills s3rver (its data stays in the directory for the next start).</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static Task EnsureInstalledAsync(CancellationToken cancellationToken) =>
        NpmPackageDirectory.EnsureInstalledAsync(PackageDirectory, Path.Combine("s3rver", "bin", "s3rver.js"), cancellationToken);
}

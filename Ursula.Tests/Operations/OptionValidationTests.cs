// A node refuses to start on a bad option, exits 2, and its one-line message names the flag and the
// configuration key at fault, whether the option is read before PostgreSQL or validated at start.
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class OptionValidationTests(PostgresFixture postgres)
{
    private const string NoPostgres = "Host=/nonexistent-ursula-test;Timeout=1";

    [Theory]
    [InlineData("--hot-tail-bytes", "5", "--hot-tail-bytes (HotTailBytes)")]
    [InlineData("--log-format", "xml", "--log-format (Log:Format)")]
    [InlineData("--tls-cert", "/nonexistent/node.pem", "--tls-cert (Tls:CertFile)")]
    [InlineData("--tls-key", "/nonexistent/node.key", "--tls-key (Tls:KeyFile)")]
    [InlineData("--tls-ca", "/nonexistent/ca.pem", "--tls-ca (Tls:CaFile)")]
    public async Task A_bad_option_read_before_PostgreSQL_stops_the_start_naming_its_flag(string flag, string value, string named)
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDir = Path.Combine(Path.GetTempPath(), $"ursula-opt-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            var (exit, output) = await NodeProcess.RunToExitAsync(["serve", "--listen", $"127.0.0.1:{FreePort.Next()}", "--data-dir", dataDir, "--postgres", NoPostgres, flag, value], TimeSpan.FromMinutes(1), ct);
            Assert.True(exit == 2, $"exit {exit}:\n{output}");
            Assert.Contains(named, output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task An_option_validated_at_start_names_its_flag_too()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(nameof(OptionValidationTests), ct);
        var dataDir = Path.Combine(Path.GetTempPath(), $"ursula-opt-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            var (exit, output) = await NodeProcess.RunToExitAsync(["serve", "--listen", $"127.0.0.1:{FreePort.Next()}", "--data-dir", dataDir, "--postgres", database, "--long-poll-timeout", "0.01"], TimeSpan.FromMinutes(1), ct);
            Assert.True(exit == 2, $"exit {exit}:\n{output}");
            Assert.Contains("--long-poll-timeout (Protocol:LongPollTimeout)", output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}

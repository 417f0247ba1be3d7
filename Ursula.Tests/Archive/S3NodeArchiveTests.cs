// The cold tier on one node with an S3 archive (s3rver): archived data reads back; with S3 down
// nothing is lost, hot data stays readable, archived data answers 503, archiving fails and health
// says so, and past the hot ceiling writes get 503 with Retry-After; when S3 returns, archiving
// resumes and every acknowledged byte reads back after a restart.
using System.Net;
using System.Security.Cryptography;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class S3NodeArchiveTests(PostgresFixture postgres, S3rverFixture s3) : IClassFixture<S3rverFixture>, IAsyncLifetime
{
    private const long Ceiling = 1024 * 1024;
    private ArchivingNode node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Arguments and environment that point a node at the fixture's bucket under its own prefix.</summary>
    public static (string[] Arguments, Dictionary<string, string> Environment) S3Archive(S3rverFixture s3, string prefix)
    {
        var environment = ArchivingNode.SmallRowGroups();
        environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        return (["--s3-bucket", S3rverFixture.Bucket, "--s3-endpoint", s3.Endpoint.ToString(), "--s3-prefix", prefix], environment);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task With_S3_down_nothing_is_lost_hot_data_stays_readable_and_writes_wait_past_the_ceiling()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(S3NodeArchiveTests), Ct);
        var (arguments, environment) = S3Archive(s3, $"node-{Guid.NewGuid():N}");
        node = await ArchivingNode.StartAsync(
            database,
            Path.Combine(Path.GetTempPath(), $"ursula-s3-node-{Guid.NewGuid():N}"),
            [.. ArchivingNode.FastArchiving(hotWindowBytes: 16 * 1024), "--hot-ceiling-bytes", Ceiling.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments],
            environment,
            Ct);
        const string path = "/s3/stream";
        var written = new MemoryStream();
        Assert.Equal(HttpStatusCode.Created, (await node.Client.CreateAsync(path, "application/octet-stream", cancellationToken: Ct)).StatusCode);
        await AppendChunksAsync(path, written, 100, 3000);
        await node.WaitUntilArchivedAsync(path, 200_000, Ct);
        Assert.Equal(written.ToArray(), await StreamReads.CatchUpAsync(node.Client, path, "-1", Ct));

        // A restart empties the cache of cold blocks, which would otherwise serve archived reads.
        await node.RestartAsync(Ct);
        await s3.StopAsync();
        var (archivedTo, _, _) = await node.StoredAsync(path, Ct);
        await AppendChunksAsync(path, written, 60, 3000);
        await WaitUntilAsync(async () => (await node.HealthAsync(Ct)).Body.GetProperty("archive").GetProperty("failing").ValueKind == System.Text.Json.JsonValueKind.String, "health reports archiving failing");
        var (_, health) = await node.HealthAsync(Ct);
        Log($"S3 stopped at archive frontier {archivedTo}; health: {health}");

        // Hot data reads; archived data cannot come from a store that is down.
        var hot = await StreamReads.CatchUpAsync(node.Client, path, StreamReads.Offset(archivedTo), Ct);
        Assert.Equal(written.ToArray()[(int)archivedTo..], hot);
        using (var cold = await node.Client.GetAsync($"{path}?offset=-1", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, cold.StatusCode);
            Assert.NotNull(cold.Headers.RetryAfter);
        }

        // Past the ceiling new data waits.
        HttpStatusCode status;
        var refusedAfter = 0;
        do
        {
            var chunk = RandomNumberGenerator.GetBytes(20_000);
            using var response = await PostAsync(path, chunk);
            status = response.StatusCode;
            if (status == HttpStatusCode.NoContent)
            {
                written.Write(chunk);
                refusedAfter++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Contains("archive", await response.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
            }
        }
        while (status == HttpStatusCode.NoContent && refusedAfter < 200);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var (healthStatus, refused) = await node.HealthAsync(Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthStatus);
        Log($"writes refused after {refusedAfter} more appends of 20 KB; health: {refused.GetProperty("problem")}");

        await s3.StartAsync(Ct);
        await WaitUntilAsync(async () => (await node.HealthAsync(Ct)).Status == HttpStatusCode.OK, "the archive catches up");
        await AppendChunksAsync(path, written, 10, 3000);
        await node.WaitUntilArchivedAsync(path, written.Length - (64 * 1024), Ct);
        await node.RestartAsync(Ct);
        Assert.Equal(written.ToArray(), await StreamReads.CatchUpAsync(node.Client, path, "-1", Ct));
    }

    private async Task AppendChunksAsync(string path, MemoryStream written, int count, int bytes)
    {
        for (var i = 0; i < count; i++)
        {
            var chunk = RandomNumberGenerator.GetBytes(bytes);
            using var response = await PostAsync(path, chunk);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            written.Write(chunk);
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return await node.Client.PostAsync(path, content, Ct);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(100, Ct);
        }
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public async ValueTask DisposeAsync()
    {
        await s3.StartAsync(CancellationToken.None);

        if (node is not null)
        {
            await node.DisposeAsync();
        }
    }
}

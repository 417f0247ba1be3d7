using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Conformance;

[Trait("Category", "Conformance")]
public sealed class SingleNodeConformanceTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(2);
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), $"ursula-conf-{Guid.NewGuid():N}");
    private NodeProcess? node;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync("conformance", ct);
        node = NodeProcess.Start(FreePort.Next(), dataDir, database, "--long-poll-timeout", "2", "--allow-local-http-webhooks");
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), ct);
    }

    [Fact]
    public async Task Every_test_of_the_official_suite_subscriptions_included_passes_against_a_single_node()
    {
        var result = await ConformanceSuite.RunAsync(node!.BaseUrl, LongPoll, TestContext.Current.CancellationToken);

        Assert.True(result.Failures.Count == 0, $"{result.Failed} conformance tests failed:\n{string.Join('\n', result.Failures)}");
        Assert.True(result.Passed >= ConformanceSuite.AllTests, $"Only {result.Passed} tests passed (expected {ConformanceSuite.AllTests}):\n{result.Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (node is not null)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

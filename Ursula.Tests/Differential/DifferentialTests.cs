// Differential testing against the reference server: seeded runs of random protocol requests go
// to @durable-streams/server 0.3.7 and to an Ursula node, and every answer must agree, except the
// deliberate differences docs/compatibility.md lists (KnownDifferences). The suite runs fixed
// seeds; URSULA_DIFF_SEEDS=17,18 (or URSULA_DIFF_SEEDS=random:20 for twenty fresh ones) runs others,
// and a failure names the seed and request number with the transcript that leads there.
using System.Globalization;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Differential;

[Trait("Category", "Integration")]
public sealed class DifferentialTests(DifferentialTests.Servers servers) : IClassFixture<DifferentialTests.Servers>
{
    private const int RequestsPerSeed = 160;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        foreach (var seed in SeedsFromEnvironment() ?? [1, 2, 3, 4, 5, 6])
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Ursula_answers_a_seeded_run_of_protocol_requests_as_the_reference_server_does(int seed)
    {
        var ct = TestContext.Current.CancellationToken;
        var run = new DifferentialRun(seed, servers.Reference.BaseUrl, servers.Node.BaseUrl, servers.Http);
        await run.RunAsync(RequestsPerSeed, ct);

        var deliberate = run.Differences.Where(d => KnownDifferences.Explain(d) is not null).ToList();
        foreach (var difference in deliberate)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"deliberate ({KnownDifferences.Explain(difference)}): {difference}");
        }

        var unexplained = run.Differences.Except(deliberate).ToList();
        Assert.True(
            unexplained.Count == 0,
            $"{unexplained.Count} disagreements with the reference server (replay: URSULA_DIFF_SEEDS={seed}):\n{string.Join("\n\n", unexplained.Take(4).Select(d => $"{d}\n  the requests that led there:\n{run.TranscriptUpTo(d.Index, 10)}"))}");
    }

    private static IEnumerable<int>? SeedsFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("URSULA_DIFF_SEEDS");
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.StartsWith("random:", StringComparison.Ordinal))
        {
            return Enumerable.Range(0, int.Parse(text[7..], CultureInfo.InvariantCulture)).Select(_ => Random.Shared.Next(1000, int.MaxValue));
        }

        return text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture));
    }

    /// <summary>The reference server and an Ursula node, both with one-second long-polls, for the whole class.</summary>
    public sealed class Servers(PostgresFixture postgres) : SingleNodeFixture(postgres), IAsyncLifetime
    {
        public ReferenceServer Reference { get; private set; } = null!;

        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(15) };

        protected override string[] ExtraArguments => ["--long-poll-timeout", "1"];

        async ValueTask IAsyncLifetime.InitializeAsync()
        {
            await InitializeAsync();
            Reference = await ReferenceServer.StartAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        }

        async ValueTask IAsyncDisposable.DisposeAsync()
        {
            Http.Dispose();
            if (Reference is not null)
            {
                await Reference.DisposeAsync();
            }

            await DisposeAsync();
        }
    }
}

// One node on its own database and data directory for a whole test class.
namespace Ursula.Tests.Infrastructure;

public class SingleNodeFixture(PostgresFixture postgres) : IAsyncLifetime
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), $"ursula-node-{Guid.NewGuid():N}");

    public string Database { get; private set; } = string.Empty;

    public NodeProcess Node { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The secret the node's cluster endpoints require: the one given with --cluster-secret, else the one it generated.</summary>
    public string ClusterSecret
    {
        get
        {
            var given = Array.IndexOf(ExtraArguments, "--cluster-secret");
            return given >= 0 ? ExtraArguments[given + 1] : File.ReadAllText(Path.Combine(DataDir, "cluster-secret")).Trim();
        }
    }

    /// <summary>Extra command-line flags for the node (e.g. a small body limit).</summary>
    protected virtual string[] ExtraArguments => ["--long-poll-timeout", "2"];

    /// <summary>Extra environment variables for the node process (e.g. GC settings).</summary>
    protected virtual IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string>();

    public async ValueTask InitializeAsync()
    {
        Database = await postgres.CreateDatabaseAsync(GetType().Name, CancellationToken.None);
        Node = NodeProcess.Start(FreePort.Next(), DataDir, Database, ExtraArguments, NodeEnvironment);
        await Node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        Client = new HttpClient { BaseAddress = Node.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}

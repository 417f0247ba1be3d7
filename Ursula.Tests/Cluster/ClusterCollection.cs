namespace Ursula.Tests.Cluster;

/// <summary>
/// Every cluster test runs in this collection: one test at a time and none alongside the rest of the
/// suite, because a fault test measures failover and catch-up times that a busy two-core machine would
/// distort, and because the tests share the three PostgreSQL servers (one test stops one of them).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<ClusterPostgres>
{
    public const string Name = "Cluster";
}

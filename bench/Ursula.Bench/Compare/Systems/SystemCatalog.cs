namespace Ursula.Bench.Compare.Systems;

/// <summary>
/// The systems a comparison can measure, by label, and the ports each takes (offsets from
/// --port-base; systems never run at the same time, but distinct ports keep a slow shutdown from
/// colliding with the next start). Add a system here and in <see cref="Describe"/>.
/// </summary>
public static class SystemCatalog
{
    public const string UrsulaSingle = "ursula-single";
    public const string UrsulaCluster3 = "ursula-cluster3";
    public const string RefMemory = "ref-memory";
    public const string RefFile = "ref-file";

    public static IReadOnlyList<string> All { get; } = [UrsulaSingle, UrsulaCluster3, RefMemory, RefFile];

    /// <summary>s3rver, the S3 endpoint of ursula-single's cold catch-up (S3).</summary>
    public const int S3rverPortOffset = 20;

    /// <summary>Offsets from the port base of every port a system listens on.</summary>
    public static IReadOnlyList<int> PortOffsets(string label) => label switch
    {
        UrsulaSingle => [0, S3rverPortOffset],
        UrsulaCluster3 => [1, 2, 3],
        RefMemory => [10],
        RefFile => [11],
        _ => throw new ArgumentException($"unknown system '{label}'", nameof(label)),
    };

    public static SystemUnderTest Create(string label, SystemEnvironment env, string sessionTag) => label switch
    {
        UrsulaSingle => new UrsulaSingle(label, env, sessionTag),
        UrsulaCluster3 => new UrsulaCluster(label, env, sessionTag),
        RefMemory => new ReferenceServer(label, env, sessionTag, env.PortBase + 10, fileBacked: false),
        RefFile => new ReferenceServer(label, env, sessionTag, env.PortBase + 11, fileBacked: true),
        _ => throw new ArgumentException($"unknown system '{label}' (known: {string.Join(", ", All)})", nameof(label)),
    };

    public static string Describe(string label) => label switch
    {
        UrsulaSingle => "one Ursula node, managed PostgreSQL in a fresh temp data dir",
        UrsulaCluster3 => "three Ursula nodes on this machine (--cluster), own data dir and managed PostgreSQL each; the load goes to the Raft leader",
        RefMemory => "the reference server, in-memory store",
        RefFile => "the reference server, file-backed store in a fresh temp dir",
        _ => label,
    };
}

// The cold tier's services: the object store the options name (a directory by default, or an
// S3-compatible bucket), the reader with its bounded cache of cold blocks, the writer and
// compactor the leader's archiver uses, and the archiver itself.
using Microsoft.Extensions.Options;
using Ursula.Archive.Compaction;
using Ursula.Archive.Reading;
using Ursula.Archive.Storage;
using Ursula.Archive.Writing;
using Ursula.Server.Replication.Archiving;

namespace Ursula.Server.Hosting;

public static partial class ServerHost
{
    public static void AddArchive(IServiceCollection services, IConfiguration configuration, NodeOptions node)
    {
        services.AddOptions<ArchiveOptions>().Bind(configuration.GetSection(ArchiveOptions.Section)).ValidateNamingOptions(ArchiveOptions.Section);
        services.AddSingleton(sp => OpenStore(sp.GetRequiredService<IOptions<ArchiveOptions>>().Value, node.FullDataDir));
        services.AddSingleton(sp =>
        {
            // Decoded row groups get three quarters: they are what concurrent catch-ups share, and a
            // row group stays decoded longer than its fetched blocks are needed. Blocks keep a quarter
            // (a row group evicted from the decoded cache is decoded again without a fetch while its
            // blocks last). Footers and parsed object footers have their own small bounds.
            var archive = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value;
            return new ArchiveReadCache(new ArchiveCacheOptions
            {
                CapacityBytes = archive.CacheBytes / 4,
                DecodedCapacityBytes = archive.CacheBytes - (archive.CacheBytes / 4),
                ReadAheadRowGroups = archive.ReadAheadRowGroups,
            });
        });
        services.AddSingleton(sp => new ArchiveReader(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<ArchiveReadCache>()));
        services.AddSingleton(sp =>
        {
            var archive = sp.GetRequiredService<IOptions<ArchiveOptions>>().Value;
            return new ArchiveWriter(sp.GetRequiredService<IObjectStore>(), new ArchiveWriterOptions
            {
                ObjectTargetBytes = archive.ObjectTargetBytes,
                RowGroupTargetBytes = Math.Min(archive.RowGroupTargetBytes, archive.ObjectTargetBytes),
                SpoolDirectory = Path.Combine(node.FullDataDir, "archive-spool"),
            }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ArchiveCompactor>();
        services.AddSingleton<ArchiveStatus>();
        services.AddSingleton<HotCeiling>();
        services.AddSingleton<Archiver>();
        services.AddHostedService(sp => sp.GetRequiredService<Archiver>());
    }

    /// <summary>
    /// In a cluster every member reads what the leader archived, so the archive must be shared:
    /// an S3 bucket, or a directory every node mounts. The default directory under each node's own
    /// data directory is not, so a cluster that would use it is refused at start.
    /// </summary>
    internal static void RequireSharedArchive(NodeOptions node, IConfiguration configuration)
    {
        var archive = new ArchiveOptions();
        configuration.GetSection(ArchiveOptions.Section).Bind(archive);
        if (archive.Enabled && !archive.UsesS3 && string.IsNullOrWhiteSpace(archive.Dir) && (node.Join || Membership.Members(node).Count > 1))
        {
            throw new OptionsValidationException("a cluster's archive must be shared by its members: give every node the same --s3-bucket, or an --archive-dir they all mount (or --no-archive)");
        }
    }

    /// <summary>The archive's object store as the options describe it (also used by the sql and restore verbs).</summary>
    public static IObjectStore OpenStore(ArchiveOptions archive, string dataDir)
    {
        if (!archive.UsesS3)
        {
            return new FileSystemObjectStore(archive.Directory(dataDir));
        }

        var s3 = new S3StoreOptions
        {
            Bucket = archive.S3Bucket!,
            Prefix = archive.S3Prefix,
            Region = archive.S3Region,
            Endpoint = string.IsNullOrWhiteSpace(archive.S3Endpoint) ? null : new Uri(archive.S3Endpoint),
        };
        s3.Validate();
        return new S3ObjectStore(s3);
    }
}

// Backpressure of the cold tier: when the archive falls behind (the store down for long), the
// node's unarchived bytes grow; past the ceiling new data is refused with 503 rather than filling
// PostgreSQL's disk, and health says why.
using Microsoft.Extensions.Options;
using Ursula.Server.State;

namespace Ursula.Server.Replication.Archiving;

public sealed class HotCeiling(StreamCatalog catalog, ArchiveStatus status, IOptions<ArchiveOptions> options)
{
    private readonly ArchiveOptions options = options.Value;

    public bool IsReached => options.Enabled && catalog.HotBytes > options.HotCeilingBytes;

    public string Reason =>
        $"The archive is behind: {catalog.HotBytes} payload bytes of this node are not archived yet (ceiling {options.HotCeilingBytes})"
        + (status.LastError is { } error && status.IsFailing ? $"; archiving fails: {error}" : string.Empty);
}

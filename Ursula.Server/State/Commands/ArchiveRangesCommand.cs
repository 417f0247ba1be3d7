// The leader's archiver wrote one object holding ranges of several streams and verified it: these
// ranges now live in the archive. Apply records the manifest entries and lets PostgreSQL drop the
// archived records; it never touches object storage.
using Ursula.Archive.Manifest;

namespace Ursula.Server.State.Commands;

/// <param name="Entries">The object's manifest entries, one per archived stream range.</param>
/// <param name="Bytes">Payload bytes of each entry's records (what leaves the stream's hot bytes).</param>
[CommandKind(CommandKind.ArchiveRanges)]
public sealed record ArchiveRangesCommand(IReadOnlyList<ManifestEntry> Entries, IReadOnlyList<long> Bytes) : Command
{
    private byte[]? encoded;

    public override CommandKind Kind => CommandKind.ArchiveRanges;

    private byte[] Encoded => encoded ??= ManifestCodec.Encode(Entries.ToList());

    public override void WriteFields(ref CommandWriter w)
    {
        w.Bytes(Encoded);
        w.Int32(Bytes.Count);
        foreach (var bytes in Bytes)
        {
            w.Int64(bytes);
        }
    }

    public override int SizeOfFields() => 4 + Encoded.Length + 4 + (8 * Bytes.Count);

    internal static Command ReadFields(ref CommandReader r)
    {
        var entries = ArchiveCommandFields.Entries(ref r);
        var count = r.Int32();
        if (count != entries.Count)
        {
            throw new InvalidDataException($"{entries.Count} archived ranges with {count} byte counts.");
        }

        var bytes = new long[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = r.Int64();
        }

        return new ArchiveRangesCommand(entries, bytes);
    }

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.ApplyArchived(this, context));
}

/// <summary>Manifest entries as command fields: the archive library's manifest encoding, length-prefixed.</summary>
internal static class ArchiveCommandFields
{
    public static List<ManifestEntry> Entries(ref CommandReader r)
    {
        var data = r.Bytes();
        try
        {
            return ManifestCodec.Decode(data.Span);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Archived ranges that do not decode: {e.Message}", e);
        }
    }
}

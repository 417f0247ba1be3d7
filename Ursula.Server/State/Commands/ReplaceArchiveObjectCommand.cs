// The leader's compactor rewrote an archive object without the rows of deleted streams (or found
// nothing in it alive): the survivors' manifest entries now point at the new object, and the old
// object leaves the garbage list. The leader deletes the old object once this is committed.
using Ursula.Archive.Manifest;

namespace Ursula.Server.State.Commands;

/// <param name="OldKey">The object compacted away.</param>
/// <param name="Replacements">Entries of the new object for the streams that still live in the old one (none when nothing survived).</param>
[CommandKind(CommandKind.ReplaceArchiveObject)]
public sealed record ReplaceArchiveObjectCommand(string OldKey, IReadOnlyList<ManifestEntry> Replacements) : Command
{
    private byte[]? encoded;

    public override CommandKind Kind => CommandKind.ReplaceArchiveObject;

    private byte[] Encoded => encoded ??= ManifestCodec.Encode(Replacements.ToList());

    public override void WriteFields(ref CommandWriter w)
    {
        w.String(OldKey);
        w.Bytes(Encoded);
    }

    public override int SizeOfFields() => CommandWriter.SizeOf(OldKey) + 4 + Encoded.Length;

    internal static Command ReadFields(ref CommandReader r)
    {
        var oldKey = r.String() ?? throw new InvalidDataException("A replaced archive object without a key.");
        return new ReplaceArchiveObjectCommand(oldKey, ArchiveCommandFields.Entries(ref r));
    }

    internal override ValueTask<ApplyOutcome> ApplyAsync(ApplyContext context) => ValueTask.FromResult(context.Catalog.ApplyReplaced(this, context));
}

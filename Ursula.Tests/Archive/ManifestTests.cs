using Ursula.Archive.Manifest;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ManifestTests
{
    private static ManifestEntry Entry(long stream, long start, long end, string key = "v1/data/2026/01/01/a.parquet") =>
        new(stream, $"/s/{stream}", start, end, key, 12_345, 1_767_225_600_000, [new RowGroupLocator(0, 4, 1000, start, end)]);

    [Fact]
    public void Entries_round_trip_through_the_binary_codec()
    {
        var entries = new List<ManifestEntry>
        {
            Entry(1, 0, 100),
            Entry(2, 50, 70),
            new(3, "/tenant/chat/42 — ünïcödé", 1L << 40, (1L << 40) + 5, "v1/data/2026/01/02/b.parquet", 1L << 33, 1,
                [new RowGroupLocator(0, 4, 10, 1L << 40, (1L << 40) + 2), new RowGroupLocator(1, 14, 20, (1L << 40) + 2, (1L << 40) + 5)]),
        };

        var bytes = ManifestCodec.Encode(entries);

        Assert.Equal(ManifestCodec.Version, bytes[0]);
        Assert.Equal(entries, ManifestCodec.Decode(bytes));
    }

    [Fact]
    public void Entries_of_one_packed_object_share_its_key_in_the_encoding()
    {
        var many = Enumerable.Range(0, 1000).Select(i => Entry(i, 0, 3)).ToList();

        var bytes = ManifestCodec.Encode(many);

        Assert.True(bytes.Length < 1000 * 25, $"{bytes.Length} bytes for 1000 entries");
        Assert.Equal(many, ManifestCodec.Decode(bytes));
    }

    [Fact]
    public void An_unknown_version_or_a_truncated_encoding_is_refused()
    {
        var bytes = ManifestCodec.Encode([Entry(1, 0, 10)]);
        var future = (byte[])bytes.Clone();
        future[0] = 2;

        Assert.Throws<FormatException>(() => ManifestCodec.Decode(future));
        Assert.Throws<FormatException>(() => ManifestCodec.Decode(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Throws<FormatException>(() => ManifestCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void The_index_finds_the_entries_covering_a_range_in_order()
    {
        var index = new ManifestIndex([Entry(1, 100, 200), Entry(1, 0, 100), Entry(1, 200, 300, "v1/data/2026/01/01/b.parquet"), Entry(2, 0, 50)]);

        Assert.Equal([0L, 100L], index.Find(1, 50, 150).Select(e => e.Start));
        Assert.Equal([200L], index.Find(1, 200, 201).Select(e => e.Start));
        Assert.Empty(index.Find(1, 300, 400));
        Assert.Equal([100L, 200L], index.Find(1, 100, long.MaxValue).Select(e => e.Start));
        Assert.Empty(index.Find(9, 0, 10));
        Assert.Equal(4, index.Count);
    }

    [Fact]
    public void Adding_the_same_entry_twice_is_a_no_op_and_an_overlapping_one_is_refused()
    {
        var index = new ManifestIndex();
        Assert.True(index.Add(Entry(1, 0, 100)));
        Assert.False(index.Add(Entry(1, 0, 100)));
        Assert.Throws<InvalidOperationException>(() => index.Add(Entry(1, 50, 150, "v1/data/2026/01/01/other.parquet")));
        Assert.True(index.Add(Entry(1, 100, 150)));
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Replacing_an_object_swaps_its_entries_and_removing_a_stream_forgets_it()
    {
        const string Old = "v1/data/2026/01/01/old.parquet", New = "v1/data/2026/01/02/new.parquet";
        var index = new ManifestIndex([Entry(1, 0, 10, Old), Entry(2, 0, 10, Old), Entry(3, 0, 10, Old)]);

        index.ReplaceObject(Old, [Entry(1, 0, 10, New), Entry(3, 0, 10, New)]);

        Assert.Equal([New], index.ObjectKeys());
        Assert.Empty(index.Find(2, 0, 10));
        Assert.Equal(New, index.Find(3, 0, 10).Single().ObjectKey);
        Assert.Single(index.RemoveStream(1));
        Assert.Equal([3L], index.All().Select(e => e.StreamId));
        Assert.Equal([New], index.ObjectKeys());
        Assert.Single(index.EntriesIn(New));
    }
}

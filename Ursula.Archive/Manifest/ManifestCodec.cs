// The binary form of manifest entries, for Raft log entries and snapshots. Version 1:
//
//   byte    version (1)
//   varint  object count, then per object: key (varint length + UTF-8), size, written-at ms
//   varint  entry count, then per entry: object index, stream id, path, start, end - start,
//           row-group count, then per row group: index, offset, length, start, end - start
//
// Every integer is an unsigned LEB128 varint (all values are non-negative). Objects are listed
// once and entries refer to them by index, so the 10,000 small streams of one packed object
// repeat no key. A reader refuses versions it does not know rather than guess.
using System.Buffers;
using System.Text;

namespace Ursula.Archive.Manifest;

public static class ManifestCodec
{
    public const byte Version = 1;

    public static byte[] Encode(IReadOnlyCollection<ManifestEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, entries);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, IReadOnlyCollection<ManifestEntry> entries)
    {
        var objects = new Dictionary<string, int>(StringComparer.Ordinal);
        var objectList = new List<ManifestEntry>();
        foreach (var entry in entries)
        {
            if (objects.TryAdd(entry.ObjectKey, objects.Count))
            {
                objectList.Add(entry);
            }
        }

        var writer = new VarintWriter(output);
        writer.Byte(Version);
        writer.Unsigned(objectList.Count);
        foreach (var first in objectList)
        {
            writer.Text(first.ObjectKey);
            writer.Unsigned(first.ObjectSize);
            writer.Unsigned(first.WrittenAtMs);
        }

        writer.Unsigned(entries.Count);
        foreach (var entry in entries)
        {
            var first = objectList[objects[entry.ObjectKey]];
            if (first.ObjectSize != entry.ObjectSize || first.WrittenAtMs != entry.WrittenAtMs)
            {
                throw new ArgumentException($"Entries of object {entry.ObjectKey} disagree on its size or time.", nameof(entries));
            }

            writer.Unsigned(objects[entry.ObjectKey]);
            writer.Unsigned(entry.StreamId);
            writer.Text(entry.Path);
            writer.Unsigned(entry.Start);
            writer.Unsigned(entry.End - entry.Start);
            writer.Unsigned(entry.RowGroups.Count);
            foreach (var group in entry.RowGroups)
            {
                writer.Unsigned(group.Index);
                writer.Unsigned(group.Offset);
                writer.Unsigned(group.Length);
                writer.Unsigned(group.Start);
                writer.Unsigned(group.End - group.Start);
            }
        }
    }

    /// <summary>Decodes what <see cref="Write"/> wrote; throws FormatException on anything else.</summary>
    public static List<ManifestEntry> Decode(ReadOnlySpan<byte> data)
    {
        var reader = new VarintReader(data);
        var version = reader.Byte();
        if (version != Version)
        {
            throw new FormatException($"Manifest encoding version {version} is not known (this build reads {Version}).");
        }

        var objectCount = reader.Count();
        var objects = new (string Key, long Size, long WrittenAt)[objectCount];
        for (var i = 0; i < objectCount; i++)
        {
            objects[i] = (reader.Text(), reader.Long(), reader.Long());
        }

        var entryCount = reader.Count();
        var entries = new List<ManifestEntry>(entryCount);
        for (var i = 0; i < entryCount; i++)
        {
            var objectIndex = reader.Count();
            if (objectIndex >= objectCount)
            {
                throw new FormatException("A manifest entry refers to an object that is not listed.");
            }

            var (key, size, writtenAt) = objects[objectIndex];
            var streamId = reader.Long();
            var path = reader.Text();
            var start = reader.Long();
            var end = checked(start + reader.Long());
            var groupCount = reader.Count();
            var groups = new RowGroupLocator[groupCount];
            for (var g = 0; g < groupCount; g++)
            {
                var index = reader.Count();
                var offset = reader.Long();
                var length = reader.Long();
                var groupStart = reader.Long();
                groups[g] = new RowGroupLocator(index, offset, length, groupStart, checked(groupStart + reader.Long()));
            }

            entries.Add(new ManifestEntry(streamId, path, start, end, key, size, writtenAt, groups));
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("Trailing bytes after the manifest entries.");
        }

        return entries;
    }

    private readonly ref struct VarintWriter(IBufferWriter<byte> output)
    {
        public void Byte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        public void Unsigned(long value)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            var span = output.GetSpan(10);
            var n = 0;
            var v = (ulong)value;
            while (v >= 0x80)
            {
                span[n++] = (byte)(v | 0x80);
                v >>= 7;
            }

            span[n++] = (byte)v;
            output.Advance(n);
        }

        public void Text(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            Unsigned(length);
            var written = Encoding.UTF8.GetBytes(value, output.GetSpan(length));
            output.Advance(written);
        }
    }

    private ref struct VarintReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int position;

        public readonly bool AtEnd => position == data.Length;

        public byte Byte()
        {
            if (position >= data.Length)
            {
                throw new FormatException("The manifest encoding ends early.");
            }

            return data[position++];
        }

        public long Long()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value <= long.MaxValue ? (long)value : throw new FormatException("A manifest number is out of range.");
                }
            }

            throw new FormatException("A manifest number is too long.");
        }

        public int Count()
        {
            var value = Long();
            return value <= int.MaxValue ? (int)value : throw new FormatException("A manifest count is out of range.");
        }

        public string Text()
        {
            var length = Count();
            if (length > data.Length - position)
            {
                throw new FormatException("The manifest encoding ends inside a string.");
            }

            var text = Encoding.UTF8.GetString(data.Slice(position, length));
            position += length;
            return text;
        }
    }
}

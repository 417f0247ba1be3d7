// Binary layout of a log entry. Little-endian, versioned: apply on every node decodes exactly what
// the leader encoded. Layout:
//   u8 version | i64 leader time (unix ms) | i32 count | count × command
//   command = u8 kind | the kind's fields (a stream command starts with its path)
// The same bytes carry commands a follower forwards to the leader, so decoding is defensive:
// truncated or hostile input (negative lengths, counts past the end, unknown kinds, bytes that are
// not UTF-8, trailing garbage) throws InvalidDataException and nothing else.
using System.Buffers;

namespace Ursula.Server.State.Commands;

public static class CommandCodec
{
    private const byte Version = 1;

    /// <summary>The bytes of an entry's header (version, time, count) before its commands.</summary>
    public const int HeaderBytes = 1 + 8 + 4;

    /// <summary>The smallest command: a kind byte and an empty string.</summary>
    private const int MinCommandBytes = 1 + 4;

    public static void Write(IBufferWriter<byte> output, long timestampMs, IReadOnlyList<Command> commands)
    {
        var w = new CommandWriter(output);
        w.Byte(Version);
        w.Int64(timestampMs);
        w.Int32(commands.Count);
        foreach (var command in commands)
        {
            w.Byte((byte)command.Kind);
            command.WriteFields(ref w);
        }
    }

    public static byte[] Encode(long timestampMs, IReadOnlyList<Command> commands)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, timestampMs, commands);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>At most the bytes a command takes in an entry (exact but for absent numbers).</summary>
    public static int SizeOf(Command command) => 1 + command.SizeOfFields();

    /// <summary>Decodes an entry; payload slices alias <paramref name="entry"/>, which must outlive the batch.</summary>
    public static CommandBatch Decode(ReadOnlyMemory<byte> entry)
    {
        var r = new CommandReader(entry);
        var version = r.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Unknown log entry version {version}.");
        }

        var timestamp = r.Int64();
        var count = r.Int32();
        if (count < 0 || count > r.Remaining / MinCommandBytes)
        {
            throw new InvalidDataException($"A count of {count} commands does not fit in the {r.Remaining} bytes left.");
        }

        var commands = new Command[count];
        for (var i = 0; i < count; i++)
        {
            commands[i] = CommandRegistry.Read((CommandKind)r.Byte(), ref r);
        }

        if (r.Remaining != 0)
        {
            throw new InvalidDataException($"{r.Remaining} bytes follow the last command.");
        }

        return new CommandBatch(timestamp, commands);
    }
}

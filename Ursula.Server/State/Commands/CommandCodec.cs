// Binary layout of a log entry. Little-endian, versioned, no reflection: apply on every node
// decodes exactly what the leader encoded. Layout:
//   u8 version | i64 leader time (unix ms) | i32 count | count × command
//   command = u8 kind | string path | kind-specific fields
// The same bytes carry commands a follower forwards to the leader, so decoding is defensive:
// truncated or hostile input (negative lengths, counts past the end, unknown kinds, bytes that are
// not UTF-8, trailing garbage) throws InvalidDataException and nothing else.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Ursula.Server.State.Commands;

public static class CommandCodec
{
    private const byte Version = 1;

    public static void Write(IBufferWriter<byte> output, long timestampMs, IReadOnlyList<StreamCommand> commands)
    {
        var w = new EntryWriter(output);
        w.Byte(Version);
        w.Int64(timestampMs);
        w.Int32(commands.Count);
        foreach (var command in commands)
        {
            WriteCommand(ref w, command);
        }
    }

    public static byte[] Encode(long timestampMs, IReadOnlyList<StreamCommand> commands)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, timestampMs, commands);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an entry; payload slices alias <paramref name="entry"/>, which must outlive the batch.</summary>
    public static CommandBatch Decode(ReadOnlyMemory<byte> entry)
    {
        var r = new EntryReader(entry);
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

        var commands = new StreamCommand[count];
        for (var i = 0; i < count; i++)
        {
            commands[i] = ReadCommand(ref r);
        }

        if (r.Remaining != 0)
        {
            throw new InvalidDataException($"{r.Remaining} bytes follow the last command.");
        }

        return new CommandBatch(timestamp, commands);
    }

    /// <summary>The smallest command: a kind byte and an empty path.</summary>
    private const int MinCommandBytes = 1 + 4;

    public static void WriteCommand(ref EntryWriter w, StreamCommand command)
    {
        w.Byte((byte)command.Kind);
        w.String(command.Path);
        switch (command)
        {
            case CreateStreamCommand c:
                w.String(c.ContentType);
                w.NullableInt64(c.TtlSeconds);
                w.String(c.ExpiresAt);
                w.Bool(c.Closed);
                w.Body(c.Body);
                w.Bool(c.Fork is not null);
                if (c.Fork is { } fork)
                {
                    w.String(fork.SourcePath);
                    w.NullableInt64(fork.Position);
                    w.Int64(fork.SubOffset);
                }

                break;
            case AppendStreamCommand a:
                w.String(a.ContentType);
                w.String(a.StreamSeq);
                w.Bool(a.Producer is not null);
                if (a.Producer is { } p)
                {
                    w.String(p.Id);
                    w.Int64(p.Epoch);
                    w.Int64(p.Seq);
                }

                w.Bool(a.Close);
                w.Body(a.Body);
                break;
            case DeleteStreamCommand:
                break;
            case TouchStreamCommand t:
                w.Int64(t.StreamId);
                break;
            case ExpireStreamCommand e:
                w.Int64(e.StreamId);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown command");
        }
    }

    /// <summary>At most the bytes <see cref="WriteCommand"/> writes for a command (exact but for absent numbers).</summary>
    public static int SizeOf(StreamCommand command)
    {
        var size = 1 + SizeOf(command.Path);
        switch (command)
        {
            case CreateStreamCommand c:
                size += SizeOf(c.ContentType) + 9 + SizeOf(c.ExpiresAt) + 1 + SizeOf(c.Body) + 1;
                if (c.Fork is { } fork)
                {
                    size += SizeOf(fork.SourcePath) + 9 + 8;
                }

                break;
            case AppendStreamCommand a:
                size += SizeOf(a.ContentType) + SizeOf(a.StreamSeq) + 1 + (a.Producer is { } p ? SizeOf(p.Id) + 16 : 0) + 1 + SizeOf(a.Body);
                break;
            case TouchStreamCommand or ExpireStreamCommand:
                size += 8;
                break;
        }

        return size;
    }

    /// <summary>The bytes of an entry's header (version, time, count) before its commands.</summary>
    public const int HeaderBytes = 1 + 8 + 4;

    private static int SizeOf(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    private static int SizeOf(CommandBody body) => 4 + 4 + body.Payload.Length;

    public static StreamCommand ReadCommand(ref EntryReader r)
    {
        var kind = (CommandKind)r.Byte();
        var path = r.String() ?? throw new InvalidDataException("Command without a path.");
        switch (kind)
        {
            case CommandKind.Create:
                {
                    var contentType = r.String();
                    var ttl = r.NullableInt64();
                    var expiresAt = r.String();
                    var closed = r.Bool();
                    var body = r.Body();
                    ForkRequest? fork = null;
                    if (r.Bool())
                    {
                        var source = r.String() ?? throw new InvalidDataException("Fork without a source.");
                        fork = new ForkRequest(source, r.NullableInt64(), r.Int64());
                    }

                    return new CreateStreamCommand(path, contentType, ttl, expiresAt, closed, body, fork);
                }

            case CommandKind.Append:
                {
                    var contentType = r.String();
                    var seq = r.String();
                    ProducerClaim? producer = null;
                    if (r.Bool())
                    {
                        var producerId = r.String() ?? string.Empty;
                        producer = new ProducerClaim(producerId, r.Int64(), r.Int64());
                    }

                    var close = r.Bool();
                    var body = r.Body();
                    return new AppendStreamCommand(path, contentType, seq, producer, close, body);
                }

            case CommandKind.Delete:
                return new DeleteStreamCommand(path);
            case CommandKind.Touch:
                return new TouchStreamCommand(path, r.Int64());
            case CommandKind.Expire:
                return new ExpireStreamCommand(path, r.Int64());
            default:
                throw new InvalidDataException($"Unknown command kind {kind}.");
        }
    }

    public ref struct EntryWriter(IBufferWriter<byte> output)
    {
        public readonly void Byte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        public readonly void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

        public readonly void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
            output.Advance(4);
        }

        public readonly void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
            output.Advance(8);
        }

        public readonly void NullableInt64(long? value)
        {
            Bool(value.HasValue);
            if (value.HasValue)
            {
                Int64(value.Value);
            }
        }


        public readonly void String(string? value)
        {
            if (value is null)
            {
                Int32(-1);
                return;
            }

            var length = Encoding.UTF8.GetByteCount(value);
            Int32(length);
            var written = Encoding.UTF8.GetBytes(value, output.GetSpan(length));
            output.Advance(written);
        }

        public readonly void Bytes(ReadOnlySpan<byte> value)
        {
            Int32(value.Length);
            value.CopyTo(output.GetSpan(value.Length));
            output.Advance(value.Length);
        }

        public readonly void Body(CommandBody body)
        {
            Int32(body.JsonCount);
            Bytes(body.Payload.Span);
        }
    }

    /// <summary>Reads an entry; every read checks what is left, so bad input ends in InvalidDataException.</summary>
    public struct EntryReader(ReadOnlyMemory<byte> source)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private int position;

        public readonly int Remaining => source.Length - position;

        public byte Byte() => Take(1)[0];

        public bool Bool() => Byte() switch
        {
            0 => false,
            1 => true,
            var other => throw new InvalidDataException($"{other} is not a boolean."),
        };

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public long? NullableInt64() => Bool() ? Int64() : null;

        public string? String()
        {
            var length = Int32();
            if (length == -1)
            {
                return null;
            }

            try
            {
                return StrictUtf8.GetString(Take(Length(length)));
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException("A string is not valid UTF-8.", e);
            }
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = Length(Int32());
            var v = source.Slice(position, length);
            position += length;
            return v;
        }

        public CommandBody Body()
        {
            var count = Int32();
            return new CommandBody(Bytes(), count);
        }

        private readonly int Length(int length) => length >= 0 && length <= Remaining
            ? length
            : throw new InvalidDataException($"A length of {length} does not fit in the {Remaining} bytes left.");

        private ReadOnlySpan<byte> Take(int count)
        {
            var span = source.Span.Slice(position, Length(count));
            position += count;
            return span;
        }
    }
}

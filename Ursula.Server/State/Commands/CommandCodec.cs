// Binary layout of a log entry. Little-endian, versioned, no reflection: apply on every node
// decodes exactly what the leader encoded. Layout:
//   u8 version | i64 leader time (unix ms) | i32 count | count × command
//   command = u8 kind | string path | kind-specific fields
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
        var commands = new StreamCommand[count];
        for (var i = 0; i < count; i++)
        {
            commands[i] = ReadCommand(ref r);
        }

        return new CommandBatch(timestamp, commands);
    }

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

    public struct EntryReader(ReadOnlyMemory<byte> source)
    {
        private int position;

        public byte Byte() => source.Span[position++];

        public bool Bool() => Byte() != 0;

        public int Int32()
        {
            var v = BinaryPrimitives.ReadInt32LittleEndian(source.Span[position..]);
            position += 4;
            return v;
        }

        public long Int64()
        {
            var v = BinaryPrimitives.ReadInt64LittleEndian(source.Span[position..]);
            position += 8;
            return v;
        }

        public long? NullableInt64() => Bool() ? Int64() : null;


        public string? String()
        {
            var length = Int32();
            if (length < 0)
            {
                return null;
            }

            var v = Encoding.UTF8.GetString(source.Span.Slice(position, length));
            position += length;
            return v;
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = Int32();
            var v = source.Slice(position, length);
            position += length;
            return v;
        }

        public CommandBody Body()
        {
            var count = Int32();
            return new CommandBody(Bytes(), count);
        }
    }
}

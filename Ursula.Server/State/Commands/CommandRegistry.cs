// Finds the reader of every command kind once, from the [CommandKind] attributes of the command
// types, so that adding a kind never means editing the codec.
using System.Reflection;

namespace Ursula.Server.State.Commands;

internal static class CommandRegistry
{
    public delegate Command FieldReader(ref CommandReader reader);

    private static readonly FieldReader?[] Readers = Build();

    public static Command Read(CommandKind kind, ref CommandReader reader) =>
        (byte)kind < Readers.Length && Readers[(byte)kind] is { } read
            ? read(ref reader)
            : throw new InvalidDataException($"Unknown command kind {(byte)kind}.");

    private static FieldReader?[] Build()
    {
        var readers = new FieldReader?[256];
        foreach (var type in typeof(Command).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<CommandKindAttribute>() is not { } attribute)
            {
                continue;
            }

            var method = type.GetMethod("ReadFields", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException($"{type.Name} has no static ReadFields(ref CommandReader).");
            if (readers[(byte)attribute.Kind] is not null)
            {
                throw new InvalidOperationException($"Two command types claim kind {attribute.Kind}.");
            }

            readers[(byte)attribute.Kind] = method.CreateDelegate<FieldReader>();
        }

        return readers;
    }
}

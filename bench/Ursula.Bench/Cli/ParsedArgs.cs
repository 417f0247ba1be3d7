using System.Globalization;
using System.Text.Json.Nodes;

namespace Ursula.Bench.Cli;

/// <summary>
/// Options of one verb invocation, parsed by hand from "--name value", "--name=value" and "--flag".
/// Unknown options and missing required ones are usage errors; every getter falls back to the
/// default declared in the verb's <see cref="VerbSpec"/>.
/// </summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private ParsedArgs(VerbSpec verb) => Verb = verb;

    public VerbSpec Verb { get; }

    public bool HelpRequested { get; private set; }

    public static ParsedArgs Parse(VerbSpec verb, IReadOnlyList<string> args)
    {
        var parsed = new ParsedArgs(verb);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                parsed.HelpRequested = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            var name = arg[2..];
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            var spec = verb.Find(name) ?? throw new UsageException($"unknown option '--{name}' for '{verb.Name}'");
            if (spec.IsFlag)
            {
                parsed._values[name] = inline ?? "true";
                continue;
            }

            if (inline is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"option '--{name}' needs a value");
                }

                inline = args[++i];
            }

            parsed._values[name] = inline;
        }

        return parsed;
    }

    public void EnsureRequired()
    {
        foreach (var option in Verb.Options)
        {
            if (option.Default == OptionSpec.Required && !_values.ContainsKey(option.Name))
            {
                throw new UsageException($"'{Verb.Name}' needs --{option.Name}");
            }
        }
    }

    public string String(string name)
    {
        if (_values.TryGetValue(name, out var value))
        {
            return value;
        }

        var spec = Verb.Find(name) ?? throw new InvalidOperationException($"option '{name}' is not declared");
        return spec.Default == OptionSpec.Required ? "" : spec.Default;
    }

    public bool IsSet(string name) => _values.ContainsKey(name);

    public bool Flag(string name) => String(name) is "true" or "1" or "yes";

    public int Int(string name) => checked((int)Long(name));

    public long Long(string name) =>
        long.TryParse(String(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} expects an integer, got '{String(name)}'");

    public double Double(string name) =>
        double.TryParse(String(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} expects a number, got '{String(name)}'");

    public TimeSpan Duration(string name) => Units.ParseDuration(String(name));

    public long Size(string name) => Units.ParseSize(String(name));

    /// <summary>All effective option values (explicit or default) as a JSON object, for the result record.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var option in Verb.Options)
        {
            var value = String(option.Name);
            json[option.Name] = option.IsFlag ? JsonValue.Create(Flag(option.Name)) : JsonValue.Create(value);
        }

        return json;
    }
}

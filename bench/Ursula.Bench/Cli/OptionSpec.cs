namespace Ursula.Bench.Cli;

/// <summary>
/// One command-line option of a verb: its name (without the leading dashes), its default value
/// as text (empty means "no value", <see cref="Required"/> means the caller must supply it),
/// a one-line help text, and whether it is a boolean flag that takes no value.
/// </summary>
public sealed record OptionSpec(string Name, string Default, string Help, bool IsFlag = false)
{
    public const string Required = "(required)";

    public static OptionSpec Flag(string name, string help) => new(name, "false", help, IsFlag: true);

    public string Usage => IsFlag ? $"--{Name}" : $"--{Name} <{(Default.Length == 0 ? "value" : Default)}>";
}

namespace Ursula.Bench.Cli;

/// <summary>A verb (sub-command) with its summary line and the options it accepts.</summary>
public sealed record VerbSpec(string Name, string Summary, IReadOnlyList<OptionSpec> Options)
{
    public OptionSpec? Find(string name)
    {
        foreach (var option in Options)
        {
            if (string.Equals(option.Name, name, StringComparison.Ordinal))
            {
                return option;
            }
        }

        return null;
    }
}

namespace Ursula.Bench.Cli;

/// <summary>Prints usage for all verbs or for one verb, with every option's default.</summary>
public static class HelpPrinter
{
    public static void PrintAll(TextWriter writer)
    {
        writer.WriteLine("Ursula.Bench - load generator for Durable Streams servers");
        writer.WriteLine();
        writer.WriteLine("usage: Ursula.Bench <verb> [options]      (Ursula.Bench <verb> --help for one verb)");
        writer.WriteLine();
        foreach (var verb in VerbCatalog.All)
        {
            PrintVerb(writer, verb);
            writer.WriteLine();
        }

        writer.WriteLine("Durations: 500ms, 10s, 2m (plain number = seconds). Sizes: 256, 64KB, 64MB (binary units).");
        writer.WriteLine("Latencies are reported in microseconds; MB/s means MiB/s.");
        writer.WriteLine("Raise the open-files limit (ulimit -n) in the calling script for large fan-outs.");
    }

    public static void PrintVerb(TextWriter writer, VerbSpec verb)
    {
        writer.WriteLine($"{verb.Name}: {verb.Summary}");
        var width = verb.Options.Max(o => o.Name.Length) + 4;
        foreach (var option in verb.Options)
        {
            var name = ("--" + option.Name).PadRight(width);
            var def = option.IsFlag
                ? "(flag)"
                : option.Default.Length == 0 ? "(none)" : option.Default;
            writer.WriteLine($"  {name} {def,-26} {option.Help}");
        }
    }
}

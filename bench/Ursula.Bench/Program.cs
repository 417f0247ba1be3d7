using Ursula.Bench.Append;
using Ursula.Bench.Catchup;
using Ursula.Bench.Cli;
using Ursula.Bench.Compare;
using Ursula.Bench.Fanout;
using Ursula.Bench.Report;
using Ursula.Bench.Soak;

// Ursula.Bench <verb> [options]; see HelpPrinter / VerbCatalog for the full list.
var log = Console.Out;
if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    HelpPrinter.PrintAll(log);
    return args.Length == 0 ? 2 : 0;
}

var verb = VerbCatalog.Find(args[0]);
if (verb?.Name == "fanout")
{
    // Before the first socket exists: the runtime reads this once, when its socket engine starts.
    FanoutCommand.UseInlineSocketCompletions();
}
if (verb is null)
{
    Console.Error.WriteLine($"unknown verb '{args[0]}'");
    HelpPrinter.PrintAll(Console.Error);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    var parsed = ParsedArgs.Parse(verb, args[1..]);
    if (parsed.HelpRequested)
    {
        HelpPrinter.PrintVerb(log, verb);
        return 0;
    }

    parsed.EnsureRequired();
    return verb.Name switch
    {
        "append" => await new AppendCommand(parsed, log).RunAsync(cancel.Token),
        "fanout" => await new FanoutCommand(parsed, log).RunAsync(cancel.Token),
        "catchup" => await new CatchupCommand(parsed, log).RunAsync(cancel.Token),
        "soak" => await new SoakCommand(parsed, log).RunAsync(cancel.Token),
        "report" => new ReportCommand(parsed, log).Run(),
        "compare" => await new CompareCommand(parsed).RunAsync(cancel.Token),
        _ => 2,
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    HelpPrinter.PrintVerb(Console.Error, verb);
    return 2;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"failed: {e.GetType().Name}: {e.Message}");
    return 1;
}

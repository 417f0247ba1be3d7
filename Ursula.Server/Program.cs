// Ursula's command line: serve (default), migrate, cluster, --help.
using Ursula.Server.Hosting;
using Ursula.Server.Hosting.Cli;

RuntimeTuning.Apply();
try
{
    var parsed = CommandLine.Parse(args);
    if (parsed.Help)
    {
        Console.WriteLine(CommandLine.HelpText());
        return 0;
    }

    return parsed.Verb switch
    {
        "migrate" => await Verbs.MigrateAsync(parsed.Settings),
        "cluster" => await Verbs.ClusterAsync(parsed.Settings),
        "members" => await MembersVerb.RunAsync(parsed.Settings, parsed.Arguments),
        "sql" => await ArchiveVerbs.SqlAsync(parsed.Settings, parsed.Arguments),
        "restore" => await ArchiveVerbs.RestoreAsync(parsed.Settings),
        _ => await ServerHost.ServeAsync(parsed.Settings, CancellationToken.None),
    };
}
catch (HttpRequestException e)
{
    Console.Error.WriteLine($"ursula: {e.Message}");
    return 1;
}
catch (Exception e) when (e is CommandLineException or OptionsValidationException or Microsoft.Extensions.Options.OptionsValidationException)
{
    Console.Error.WriteLine($"ursula: {e.Message}");
    return 2;
}

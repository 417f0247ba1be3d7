namespace Ursula.Server.Hosting.Cli;

/// <summary>One command-line flag and the configuration key it sets.</summary>
public sealed record CliOption(string Flag, string Key, string Value, string Default, string Description, Func<string, string?>? Convert = null);

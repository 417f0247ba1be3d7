namespace Ursula.Bench.Cli;

/// <summary>Bad command-line input; Program prints the message and the verb's help, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

namespace Ursula.Server.State.Commands;

/// <summary>The sizes a command may have: the same on every node, whichever node built the command.</summary>
public readonly record struct CommandLimits(int MaxPathBytes, long MaxBodyBytes)
{
    /// <summary>Strings that arrive as header values (content type, Stream-Seq, Producer-Id, Stream-Expires-At).</summary>
    public const int MaxHeaderValueLength = 8192;

    /// <summary>The reason a malformed JSON append carries to apply.</summary>
    public const int MaxReasonBytes = 1024;
}

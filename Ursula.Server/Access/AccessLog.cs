// Log messages of client authentication, authorization and limits (event ids 2000-2099).
namespace Ursula.Server.Access;

internal static partial class AccessLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "AUTHENTICATION IS OFF: every client may read, write and delete every stream. This is the development default; set Auth:KeysFile (--keys-file), Auth:JwtSecret (--jwt-secret) or Auth:JwksUrl (--jwks-url) for anything else (docs/security.md)")]
    public static partial void AuthenticationOff(ILogger logger);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Client authentication is on: {Sources}")]
    public static partial void AuthenticationOn(ILogger logger, string sources);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Loaded {Count} API keys from {Path}")]
    public static partial void KeysLoaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "The API key file {Path} changed but could not be read ({Reason}); the previous keys stay in force")]
    public static partial void KeysReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Refused {Method} {Path} with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Answering only these Host headers (DNS rebinding protection): {Hosts}")]
    public static partial void HostsAllowed(ILogger logger, string hosts);
}

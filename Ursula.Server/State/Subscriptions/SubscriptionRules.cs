// What every subscription command must satisfy before it reaches the log, whichever node built
// it: a stream root that is a stream-path prefix (or the server root), an id of a safe alphabet,
// root-relative stream paths that make valid stream paths under the root, and a configuration
// whose fields fit its type. What needs the network (the webhook URL's addresses) is checked by
// the node that receives the request, and again when delivering.
using System.Text.RegularExpressions;
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.State.Subscriptions;

public static partial class SubscriptionRules
{
    public const int MaxStreams = 1000;
    public const int MaxDescriptionLength = 1024;
    public const int MaxUrlLength = 2048;

    [GeneratedRegex("^[A-Za-z0-9._~:-]{1,200}$")]
    private static partial Regex IdPattern();

    public static string? CheckRoot(string root, CommandLimits limits) =>
        root.Length == 0 ? null
            : StreamPath.Check(root, limits.MaxPathBytes) is { } error ? $"stream root: {error}"
            : StreamPath.IsSubscription(root) ? "a stream root may not contain __ds"
            : root.EndsWith('/') ? "a stream root does not end with /"
            : null;

    public static string? CheckId(string id) =>
        IdPattern().IsMatch(id) ? null : "a subscription id is 1 to 200 characters of A-Z, a-z, 0-9 and . _ ~ : -";

    /// <summary>Null when <paramref name="relative"/> names a stream under <paramref name="root"/>.</summary>
    public static string? CheckRelativePath(string root, string relative, CommandLimits limits)
    {
        if (relative.Length == 0 || relative[0] == '/')
        {
            return $"'{relative}' is not a stream-root-relative path (no leading /)";
        }

        var full = root + "/" + relative;
        if (StreamPath.Check(full, limits.MaxPathBytes) is { } error)
        {
            return $"'{relative}': {error}";
        }

        return StreamPath.IsSubscription(full) ? $"'{relative}': paths with a __ds segment are reserved" : null;
    }

    public static string? CheckConfig(string root, SubscriptionConfig config, CommandLimits limits)
    {
        if (config.Pattern is null && config.Streams.Count == 0)
        {
            return "a subscription needs a pattern or streams (or both)";
        }

        if (config.Pattern is { } pattern && SubscriptionGlob.Check(pattern) is { } globError)
        {
            return globError;
        }

        if (config.Streams.Count > MaxStreams)
        {
            return $"at most {MaxStreams} explicit streams";
        }

        foreach (var stream in config.Streams)
        {
            if (CheckRelativePath(root, stream, limits) is { } error)
            {
                return error;
            }
        }

        if (config.LeaseTtlMs is < SubscriptionConfig.MinLeaseTtlMs or > SubscriptionConfig.MaxLeaseTtlMs)
        {
            return "lease_ttl_ms must be from 1000 (1 second) to 600000 (10 minutes)";
        }

        if (config.Description is { Length: > MaxDescriptionLength })
        {
            return $"description is limited to {MaxDescriptionLength} characters";
        }

        return config.Type switch
        {
            SubscriptionType.Webhook when config.WakeStream is not null => "wake_stream is for pull-wake subscriptions",
            SubscriptionType.Webhook when config.WebhookUrl is null => "a webhook subscription needs webhook.url",
            SubscriptionType.Webhook when config.WebhookUrl.Length > MaxUrlLength || !Uri.TryCreate(config.WebhookUrl, UriKind.Absolute, out _) => "webhook.url must be an absolute URL",
            SubscriptionType.PullWake when config.WebhookUrl is not null => "webhook is for webhook subscriptions",
            SubscriptionType.PullWake when config.WakeStream is null => "a pull-wake subscription needs wake_stream",
            SubscriptionType.PullWake => CheckRelativePath(root, config.WakeStream, limits),
            _ => null,
        };
    }
}

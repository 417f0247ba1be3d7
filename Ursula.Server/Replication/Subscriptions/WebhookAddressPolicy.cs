// SSRF protection for webhook URLs (PROTOCOL.md 6.2 and 12.8). A URL must be https to a host
// whose every address is public; private (RFC 1918, unique-local), loopback, link-local (the
// cloud metadata address 169.254.169.254 among them), CGNAT, multicast, reserved and
// documentation ranges are refused, whatever the spelling (0x7f000001, 2130706433, 017700000001,
// [::ffff:127.0.0.1], NAT64 and 6to4 forms). Names are resolved and judged by their addresses, at
// creation and again at every connection (so rebinding a name to a private address later does not
// reach it), and redirects are never followed. The one exception, with AllowLocalHttpWebhooks, is
// http or https to the literal host "localhost" or "127.0.0.x", connecting to loopback only.
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ursula.Server.Replication.Subscriptions;

public sealed partial class WebhookAddressPolicy(bool allowLocalHttp)
{
    public delegate Task<IPAddress[]> Resolver(string host, CancellationToken cancellationToken);

    public static Resolver SystemResolver { get; } = (host, ct) => Dns.GetHostAddressesAsync(host, ct);

    [GeneratedRegex(@"^127\.0\.0\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$")]
    private static partial Regex DevLoopback();

    public bool AllowLocalHttp => allowLocalHttp;

    /// <summary>Null when the URL may receive webhooks, else the reason it is rejected.</summary>
    public async Task<string?> CheckAsync(string url, Resolver resolve, CancellationToken cancellationToken)
    {
        if (CheckSyntax(url, out var uri, out var devHost) is { } problem)
        {
            return problem;
        }

        if (devHost)
        {
            return null;
        }

        var host = uri!.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return IsPublic(literal) ? null : $"{literal} is not a public address";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await resolve(host, cancellationToken);
        }
        catch (SocketException)
        {
            return $"{host} does not resolve";
        }

        if (addresses.Length == 0)
        {
            return $"{host} does not resolve";
        }

        return addresses.FirstOrDefault(a => !IsPublic(a)) is { } blocked ? $"{host} resolves to {blocked}, which is not a public address" : null;
    }

    /// <summary>The checks that need no resolution; <paramref name="devHost"/> when the development exception covers the URL.</summary>
    public string? CheckSyntax(string url, out Uri? uri, out bool devHost)
    {
        devHost = false;
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "webhook.url must be an absolute http(s) URL";
        }

        if (uri.UserInfo.Length > 0 || url.Contains('@', StringComparison.Ordinal) && RawAuthority(url).Contains('@', StringComparison.Ordinal))
        {
            return "webhook URLs may not carry credentials";
        }

        var raw = RawHost(url);
        if (allowLocalHttp && (raw.Equals("localhost", StringComparison.OrdinalIgnoreCase) || DevLoopback().IsMatch(raw)))
        {
            devHost = true;
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return allowLocalHttp ? "webhook URLs must use https (http only to localhost or 127.0.0.x)" : "webhook URLs must use https";
        }

        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "localhost is not a public host";
        }

        return null;
    }

    /// <summary>Whether a connection for <paramref name="url"/> may go to <paramref name="address"/>.</summary>
    public bool MayConnect(string url, IPAddress address)
    {
        if (CheckSyntax(url, out _, out var devHost) is not null)
        {
            return false;
        }

        return devHost ? IsDevLoopback(address) : IsPublic(address);
    }

    private static bool IsDevLoopback(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.Equals(IPAddress.IPv6Loopback)
            || address.AddressFamily == AddressFamily.InterNetwork && DevLoopback().IsMatch(address.ToString());
    }

    private static string RawAuthority(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? url : url[(start + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#', '\\']);
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The host as written (no userinfo, no port), before any normalisation.</summary>
    private static string RawHost(string url)
    {
        var authority = RawAuthority(url);
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? authority : authority[..(close + 1)];
        }

        var colon = authority.LastIndexOf(':');
        return colon < 0 ? authority : authority[..colon];
    }
}

// Host filtering against DNS rebinding: a node listening on loopback answers only requests whose
// Host header is a loopback name (or this node's advertised host), so a web page on evil.example
// whose name was rebound to 127.0.0.1 cannot reach it (400). Auth:AllowedHosts replaces the list;
// beyond loopback any host is answered unless it is set.
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Ursula.Server.Hosting;

namespace Ursula.Server.Access;

internal sealed class HostFilterSetup(IOptions<AccessOptions> access, IOptions<NodeOptions> node) : IConfigureOptions<HostFilteringOptions>
{
    public void Configure(HostFilteringOptions options)
    {
        options.IncludeFailureMessage = true;
        options.AllowEmptyHosts = true;
        if (access.Value.AllowedHostList is { Length: > 0 } given)
        {
            options.AllowedHosts = given;
            return;
        }

        var host = node.Value.ParseListen().Host;
        if (!AccessOptionsValidator.IsLoopback(host))
        {
            options.AllowedHosts = ["*"];
            return;
        }

        var hosts = new List<string> { "localhost", "127.0.0.1", "[::1]" };
        if (!hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            hosts.Add(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host);
        }

        if (!string.IsNullOrWhiteSpace(node.Value.Advertise) && Uri.TryCreate(node.Value.Advertise, UriKind.Absolute, out var advertised))
        {
            hosts.Add(advertised.Host);
        }

        options.AllowedHosts = hosts;
    }
}

using System.Net;
using Ursula.Server.Replication.Subscriptions;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class WebhookAddressPolicyTests
{
    private static readonly WebhookAddressPolicy Production = new(allowLocalHttp: false);
    private static readonly WebhookAddressPolicy Development = new(allowLocalHttp: true);

    /// <summary>A resolver for names the test owns; anything else does not resolve.</summary>
    private static WebhookAddressPolicy.Resolver Names(params (string Name, string Address)[] names) => (host, _) =>
    {
        var found = names.Where(n => n.Name.Equals(host, StringComparison.OrdinalIgnoreCase)).Select(n => IPAddress.Parse(n.Address)).ToArray();
        return found.Length > 0 ? Task.FromResult(found) : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001));
    };

    private static readonly WebhookAddressPolicy.Resolver Public = Names(("hooks.example.com", "93.184.215.14"));

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://0x7f000001/hook")]
    [InlineData("https://2130706433/hook")]
    [InlineData("https://017700000001/hook")]
    [InlineData("https://127.1/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[::ffff:7f00:1]/hook")]
    [InlineData("https://[::127.0.0.1]/hook")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[fd00:ec2::254]/")]
    [InlineData("https://100.100.100.200/")]
    [InlineData("https://10.0.0.1/hook")]
    [InlineData("https://172.16.5.4/hook")]
    [InlineData("https://192.168.1.1/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://[fc00::1]/hook")]
    [InlineData("https://224.0.0.1/hook")]
    [InlineData("https://255.255.255.255/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://LOCALHOST./hook")]
    [InlineData("https://api.localhost/hook")]
    [InlineData("http://hooks.example.com/hook")]
    [InlineData("https://user:pass@hooks.example.com/hook")]
    [InlineData("ftp://hooks.example.com/hook")]
    [InlineData("https://nowhere.example.com/hook")]
    public async Task Unsafe_webhook_urls_are_rejected_in_production(string url) =>
        Assert.NotNull(await Production.CheckAsync(url, Public, CancellationToken.None));

    [Theory]
    [InlineData("internal.example.com", "10.1.2.3")]
    [InlineData("metadata.google.internal", "169.254.169.254")]
    [InlineData("rebind.example.com", "127.0.0.1")]
    [InlineData("v6.example.com", "::1")]
    [InlineData("mapped.example.com", "::ffff:192.168.0.1")]
    public async Task Names_that_resolve_to_private_addresses_are_rejected(string name, string address)
    {
        var resolve = Names((name, "93.184.215.14"), (name, address));
        Assert.NotNull(await Production.CheckAsync($"https://{name}/hook", resolve, CancellationToken.None));
        Assert.NotNull(await Development.CheckAsync($"https://{name}/hook", resolve, CancellationToken.None));
    }

    [Fact]
    public async Task A_public_https_url_is_accepted()
    {
        Assert.Null(await Production.CheckAsync("https://hooks.example.com/hook?x=1", Public, CancellationToken.None));
        Assert.Null(await Production.CheckAsync("https://93.184.215.14:8443/hook", Public, CancellationToken.None));
        Assert.Null(await Production.CheckAsync("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook", Public, CancellationToken.None));
    }

    [Theory]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://127.0.0.42/hook")]
    [InlineData("https://localhost/hook")]
    public async Task The_development_option_allows_only_literal_localhost_and_127_0_0_x(string url)
    {
        Assert.Null(await Development.CheckAsync(url, Public, CancellationToken.None));
        Assert.NotNull(await Production.CheckAsync(url, Public, CancellationToken.None));
    }

    [Theory]
    [InlineData("http://0x7f000001/hook")]
    [InlineData("http://2130706433/hook")]
    [InlineData("http://127.1/hook")]
    [InlineData("http://127.0.1.1/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://localhost.example.com/hook")]
    [InlineData("http://127.0.0.1.example.com/hook")]
    [InlineData("http://user@127.0.0.1/hook")]
    [InlineData("http://127.0.0.1@10.0.0.1/hook")]
    public async Task The_development_option_does_not_cover_other_spellings(string url) =>
        Assert.NotNull(await Development.CheckAsync(url, Names(("localhost.example.com", "127.0.0.1"), ("127.0.0.1.example.com", "127.0.0.1")), CancellationToken.None));

    [Fact]
    public void Connections_for_a_development_url_go_only_to_loopback_and_others_only_to_public_addresses()
    {
        Assert.True(Development.MayConnect("http://localhost:9/h", IPAddress.Loopback));
        Assert.True(Development.MayConnect("http://localhost:9/h", IPAddress.IPv6Loopback));
        Assert.False(Development.MayConnect("http://localhost:9/h", IPAddress.Parse("10.0.0.1")));
        Assert.False(Development.MayConnect("http://localhost:9/h", IPAddress.Parse("93.184.215.14")));
        Assert.False(Development.MayConnect("https://hooks.example.com/h", IPAddress.Loopback));
        Assert.False(Development.MayConnect("https://hooks.example.com/h", IPAddress.Parse("169.254.169.254")));
        Assert.True(Development.MayConnect("https://hooks.example.com/h", IPAddress.Parse("93.184.215.14")));
        Assert.False(Production.MayConnect("http://localhost:9/h", IPAddress.Loopback));
    }

    [Fact]
    public async Task The_system_resolver_is_used_for_real_names()
    {
        // localhost resolves through the machine's resolver to loopback: refused in production.
        Assert.NotNull(await Production.CheckAsync("https://localhost./hook", WebhookAddressPolicy.SystemResolver, CancellationToken.None));
    }
}

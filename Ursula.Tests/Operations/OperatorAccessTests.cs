// The operator endpoints' gate from the side of a caller that is not on loopback: every spelling of
// a loopback address is let in, every other address is refused with 403 and a problem body.
using System.Net;
using Microsoft.AspNetCore.Http;
using Ursula.Server.Hosting.Observability;

namespace Ursula.Tests.Operations;

[Trait("Category", "Unit")]
public sealed class OperatorAccessTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_callers_in_any_spelling_may_read_operator_endpoints(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        Assert.True(OperatorAccess.IsAllowed(context));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("192.168.1.5")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("fe80::1")]
    [InlineData("0.0.0.0")]
    public async Task Other_callers_are_refused_with_403(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        context.Response.Body = new MemoryStream();
        var reached = false;
        await OperatorAccess.GuardAsync(context, () =>
        {
            reached = true;
            return Task.CompletedTask;
        });
        Assert.False(reached);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    [Fact]
    public void A_connection_without_a_remote_address_is_refused()
    {
        Assert.False(OperatorAccess.IsAllowed(new DefaultHttpContext()));
    }
}

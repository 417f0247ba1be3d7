// The operator endpoints' gate from the side of a caller that is not on loopback: every spelling of
// a loopback address is let in, every other address is refused with 403 and a problem body.
using System.Net;
using Microsoft.AspNetCore.Http;
using System.Security.Claims;
using Ursula.Server.Access;
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
    public void A_remote_caller_the_access_step_authenticated_for_an_admin_endpoint_is_let_in_and_no_one_else()
    {
        DefaultHttpContext Remote(RequestArea area, bool authenticated)
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
            context.Features.Set(new AccessRequestFeature(new AccessRequest(area, AccessLevel.Admin, "/")));
            context.User = authenticated ? new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "ops")], "ApiKey")) : new ClaimsPrincipal(new ClaimsIdentity());
            return context;
        }

        Assert.True(OperatorAccess.IsAllowed(Remote(RequestArea.Reserved, authenticated: true)));
        Assert.False(OperatorAccess.IsAllowed(Remote(RequestArea.Reserved, authenticated: false)));

        // Authenticated, but classified as something else (a stream a reader may read): not an operator.
        Assert.False(OperatorAccess.IsAllowed(Remote(RequestArea.Stream, authenticated: true)));
        Assert.False(OperatorAccess.IsAllowed(Remote(RequestArea.Public, authenticated: true)));
    }

    [Theory]
    [InlineData("127.0.0.1", RequestArea.Public)]
    [InlineData("::1", RequestArea.Public)]
    [InlineData("10.0.0.1", RequestArea.Reserved)]
    [InlineData("::ffff:192.168.0.9", RequestArea.Reserved)]
    public void Metrics_need_no_token_on_loopback_and_admin_from_elsewhere(string address, RequestArea expected)
    {
        foreach (var path in new[] { "/_ursula/metrics", "/_URSULA/Metrics", "/_ursula//metrics" })
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            context.Request.Method = "GET";
            context.Request.Path = path;
            var request = RequestClassifier.Classify(context);
            Assert.Equal(expected, request.Area);
        }
    }

    [Fact]
    public void A_connection_without_a_remote_address_is_refused()
    {
        Assert.False(OperatorAccess.IsAllowed(new DefaultHttpContext()));
    }
}

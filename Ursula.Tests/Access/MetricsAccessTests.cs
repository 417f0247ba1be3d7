// The metrics endpoint on a node with authentication on: an operator on the node's own machine
// scrapes it without a token (as issue 13 asks), while the other reserved endpoints still need
// admin:/** from the same caller (Operations/OperatorAccessTests covers callers elsewhere).
using System.Net;
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

[Trait("Category", "Integration")]
public sealed class MetricsAccessTests(AuthNodeFixture fixture) : IClassFixture<AuthNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_answer_a_loopback_scrape_without_a_token_and_other_reserved_endpoints_do_not()
    {
        using var anonymous = fixture.ClientWith(null);
        using (var metrics = await anonymous.GetAsync("/_ursula/metrics", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("ursula_", await metrics.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var admin = await anonymous.GetAsync("/_ursula/admin/members", Ct))
        {
            Assert.True(admin.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"members got {(int)admin.StatusCode}");
        }

        // A path that only resembles the metrics endpoint is not let through as one.
        using var lookalike = await anonymous.GetAsync("/_ursula/metricsx", Ct);
        Assert.True(lookalike.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"lookalike got {(int)lookalike.StatusCode}");
    }
}

using Microsoft.Extensions.Time.Testing;
using Ursula.Server.Protocol;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class ResponseCursorTests
{
    private static readonly DateTimeOffset Epoch = new(2024, 10, 9, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_cursor_counts_twenty_second_intervals_since_the_protocol_epoch()
    {
        var time = new FakeTimeProvider(Epoch.AddSeconds(20 * 1000 + 7));
        Assert.Equal("1000", new ResponseCursor(time).Next(null));
    }

    [Fact]
    public void An_older_client_cursor_gets_the_current_interval()
    {
        var time = new FakeTimeProvider(Epoch.AddSeconds(20 * 1000));
        Assert.Equal("1000", new ResponseCursor(time).Next("999"));
        Assert.Equal("1000", new ResponseCursor(time).Next("garbage"));
    }

    [Fact]
    public void A_client_cursor_at_or_ahead_of_now_always_moves_forward_by_jitter()
    {
        var time = new FakeTimeProvider(Epoch.AddSeconds(20 * 1000));
        var cursors = new ResponseCursor(time);
        for (var i = 0; i < 200; i++)
        {
            foreach (var client in new[] { 1000L, 1500L })
            {
                var next = long.Parse(cursors.Next(client.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(next, client + 1, client + 180);
            }
        }
    }
}

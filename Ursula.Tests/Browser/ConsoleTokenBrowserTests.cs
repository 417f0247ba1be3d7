// The console on a node with authentication: without a token the list says 401 and the hub does
// not connect; with a reader's key typed in, the list shows only that key's streams, the hub
// connects (the token as access_token on the WebSocket) and a stream of the grant tails live.
using Microsoft.Playwright;
using Ursula.Tests.Access;
using Ursula.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Ursula.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class ConsoleTokenBrowserTests(AuthNodeFixture fixture) : IClassFixture<AuthNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_console_asks_for_a_token_and_then_shows_only_what_it_may_read()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        using var admin = fixture.ClientWith(TestTokens.AdminAll);
        var mine = $"/tenant-a/console-{run}";
        (await admin.CreateAsync(mine, body: "visible to tenant a\n", cancellationToken: Ct)).EnsureSuccessStatusCode();
        (await admin.CreateAsync($"/tenant-b/console-{run}", cancellationToken: Ct)).EnsureSuccessStatusCode();

        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(fixture.Node.BaseUrl, "/_ursula/ui/").ToString());
            await Expect(page.Locator("#stream-list")).ToContainTextAsync("401");
            await Expect(page.Locator("#hub-state")).Not.ToHaveTextAsync("connected");

            await page.FillAsync("#token", TestTokens.ReaderA);
            await page.ClickAsync("#token-form button[type=submit]");
            await Expect(page.Locator("#hub-state")).ToHaveTextAsync("connected", new() { Timeout = 15_000 });
            await page.FillAsync("#prefix", "/");
            await page.ClickAsync("#filter button[type=submit]");
            await Expect(page.Locator($"#stream-list button[data-path='{mine}']")).ToHaveCountAsync(1);
            await Expect(page.Locator("#stream-list button[data-path^='/tenant-b/']")).ToHaveCountAsync(0);
            await page.ClickAsync($"#stream-list button[data-path='{mine}']");
            await Expect(page.Locator("#tail")).ToContainTextAsync("visible to tenant a");
        }
    }
}

// The console at /_ursula/ui/ in headless Chromium against a real node: open it, find and open a
// stream, see appends made over HTTP arrive live through the hub, append from the page and read
// the append back over HTTP. With URSULA_UPDATE_SCREENSHOT=1 it also renews docs/console.png.
using Microsoft.Playwright;
using Ursula.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Ursula.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class ConsoleBrowserTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_console_opens_a_stream_tails_HTTP_appends_live_and_appends_from_the_page()
    {
        var prefix = $"/console-{Guid.NewGuid().ToString("N")[..6]}/";
        var path = prefix + "orders";
        await fixture.Client.CreateAsync(path, "text/plain", "order 1001 placed\n", Ct);
        await fixture.Client.CreateAsync(prefix + "events", "application/json", "[{\"type\":\"signup\",\"user\":42}]", Ct);
        await fixture.Client.CreateAsync(prefix + "thumbnails", "application/octet-stream", cancellationToken: Ct);

        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 760 } });
            var errors = new List<string>();
            page.PageError += (_, error) => errors.Add(error);
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    errors.Add(message.Text);
                }
            };

            await page.GotoAsync(new Uri(fixture.Node.BaseUrl, "/_ursula/ui/").ToString());
            await Expect(page.Locator("#hub-state")).ToHaveTextAsync("connected");

            await page.FillAsync("#prefix", prefix);
            await page.ClickAsync("#filter button[type=submit]");
            await Expect(page.Locator("#stream-list button[data-path]")).ToHaveCountAsync(3);
            await page.ClickAsync($"#stream-list button[data-path='{path}']");
            await Expect(page.Locator("#stream-path")).ToHaveTextAsync(path);
            await Expect(page.Locator("#meta-type")).ToHaveTextAsync("text/plain");
            await Expect(page.Locator("#tail")).ToContainTextAsync("order 1001 placed");
            await Expect(page.Locator("#tail-state")).ToHaveTextAsync("live");

            // Appends over HTTP arrive live through the hub.
            foreach (var line in new[] { "order 1002 placed\n", "order 1001 shipped\n" })
            {
                using var appended = await fixture.Client.AppendAsync(path, line, "text/plain", Ct);
                appended.EnsureSuccessStatusCode();
            }

            await Expect(page.Locator("#tail")).ToContainTextAsync("order 1001 shipped");

            // An append from the page is stored, and read back over HTTP.
            await page.FillAsync("#append-data", "order 1003 placed from the console\n");
            await page.ClickAsync("#append-send");
            await Expect(page.Locator("#append-result")).ToContainTextAsync("appended");
            await Expect(page.Locator("#tail")).ToContainTextAsync("from the console");
            Assert.Equal(
                "order 1001 placed\norder 1002 placed\norder 1001 shipped\norder 1003 placed from the console\n",
                await fixture.Client.ReadAllAsync(path, Ct));
            await Expect(page.Locator("#meta-offset")).ToHaveTextAsync((await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct)).Header("Stream-Next-Offset")!);

            var shot = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
            await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "console.png"), shot, Ct);
            if (Environment.GetEnvironmentVariable("URSULA_UPDATE_SCREENSHOT") == "1" && HeadlessChromium.DocsDirectory() is { } docs)
            {
                await File.WriteAllBytesAsync(Path.Combine(docs, "console.png"), shot, Ct);
            }

            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }
}

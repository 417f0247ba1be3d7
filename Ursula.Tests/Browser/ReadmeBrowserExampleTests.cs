// The README's browser example, taken from README.md as it stands and run in headless Chromium on
// a page of another origin (about:blank, whose origin is opaque): it must connect to a node's hub
// across origins, tail the stream and append to it.
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ursula.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Ursula.Tests.Browser;

[Trait("Category", "Browser")]
public sealed partial class ReadmeBrowserExampleTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_README_browser_example_tails_and_appends_from_a_page_of_another_origin()
    {
        var root = Path.GetDirectoryName(HeadlessChromium.DocsDirectory()) ?? throw new InvalidOperationException("The repository was not found above the test binaries.");
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"), Ct);
        var example = ExampleScript().Match(readme);
        Assert.True(example.Success, "README.md has no browser example under 'From a browser'");
        var path = $"/readme-{Guid.NewGuid():N}/hello";
        var script = example.Groups["script"].Value
            .Replace("http://127.0.0.1:4437", fixture.Node.BaseUrl.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("/demo/hello", path, StringComparison.Ordinal);
        await fixture.Client.CreateAsync(path, "text/plain", "hello\n", Ct);

        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.SetContentAsync("<!doctype html><html><body></body></html>");
            var client = Path.Combine(root, "Ursula.Server", "WebConsole", "client", "node_modules", "@microsoft", "signalr", "dist", "browser", "signalr.min.js");
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = client });
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = script });

            await Expect(page.Locator("body")).ToContainTextAsync("hello\nhi from a browser");
            Assert.Equal("hello\nhi from a browser\n", await fixture.Client.ReadAllAsync(path, Ct));

            using var more = await fixture.Client.AppendAsync(path, "and over HTTP\n", "text/plain", Ct);
            await Expect(page.Locator("body")).ToContainTextAsync("and over HTTP");
        }
    }

    [GeneratedRegex(@"### From a browser.*?```html\s*<script src=[^\n]*\n<script>\n(?<script>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ExampleScript();
}

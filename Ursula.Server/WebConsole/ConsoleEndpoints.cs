// The browser console at /_ursula/ui/: a few static files embedded into the assembly at build time
// (WebConsole/ui, and the SignalR browser client from npm), served from memory with ETags and a
// strict content security policy: the page loads only its own scripts and talks only to this node.
using System.Reflection;
using System.Security.Cryptography;

namespace Ursula.Server.WebConsole;

public static class ConsoleEndpoints
{
    public const string Path = "/ui";

    private const string ResourcePrefix = "console/";

    private const string SecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<IReadOnlyDictionary<string, ConsoleFile>> Files = new(Load);

    public static void Map(IEndpointRouteBuilder endpoints, string reservedPrefix)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        // Routing matches "/ui" and "/ui/" alike; only the first is sent to the second, so relative links resolve.
        endpoints.MapMethods(Path + "/{**file}", methods, (HttpContext context, string? file) =>
            string.IsNullOrEmpty(file) && context.Request.Path.Value?.EndsWith('/') != true
                ? Results.Redirect($"{reservedPrefix}{Path}/")
                : Serve(context, file));
    }

    /// <summary>True when the build embedded the SignalR client (it is left out with -p:UrsulaConsoleClient=false).</summary>
    public static bool HasSignalRClient => Files.Value.ContainsKey("lib/signalr.min.js");

    private static IResult Serve(HttpContext context, string? file)
    {
        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        if (!Files.Value.TryGetValue(name, out var found))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ETag = found.ETag;
        headers.ContentSecurityPolicy = SecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        if (context.Request.Headers.IfNoneMatch == found.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(found.Bytes, found.ContentType);
    }

    private static Dictionary<string, ConsoleFile> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"";
            files[resource[ResourcePrefix.Length..].Replace('\\', '/')] = new ConsoleFile(bytes, ContentTypeOf(resource), etag);
        }

        return files;
    }

    private static string ContentTypeOf(string name) => System.IO.Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private sealed record ConsoleFile(byte[] Bytes, string ContentType, string ETag);
}

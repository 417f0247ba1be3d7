// Small helpers for talking the protocol from tests.
using System.Net.Http.Headers;
using System.Text;

namespace Ursula.Tests.Infrastructure;

public static class StreamHttp
{
    public static async Task<HttpResponseMessage> CreateAsync(this HttpClient client, string path, string contentType = "text/plain", string? body = null, CancellationToken cancellationToken = default, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = Body(body ?? string.Empty, contentType) };
        Add(request, headers);
        return await client.SendAsync(request, cancellationToken);
    }

    public static async Task<HttpResponseMessage> AppendAsync(this HttpClient client, string path, string body, string contentType = "text/plain", CancellationToken cancellationToken = default, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Body(body, contentType) };
        Add(request, headers);
        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>Reads a whole stream from the start, following chunked responses to the tail.</summary>
    public static async Task<string> ReadAllAsync(this HttpClient client, string path, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        var offset = "-1";
        while (true)
        {
            using var response = await client.GetAsync($"{path}?offset={offset}", cancellationToken);
            response.EnsureSuccessStatusCode();
            text.Append(await response.Content.ReadAsStringAsync(cancellationToken));
            offset = response.Headers.GetValues("Stream-Next-Offset").Single();
            if (response.Headers.Contains("Stream-Up-To-Date"))
            {
                return text.ToString();
            }
        }
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault()
        : null;

    private static ByteArrayContent Body(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType.Length > 0)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return content;
    }

    private static void Add(HttpRequestMessage request, (string Name, string Value)[] headers)
    {
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}

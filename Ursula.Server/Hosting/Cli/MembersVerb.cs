// `ursula members list | add URL | remove URL --node URL`: membership changes through any node.
using System.Net.Http.Json;

namespace Ursula.Server.Hosting.Cli;

public static class MembersVerb
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string> arguments)
    {
        var node = new Uri((settings.TryGetValue("Node", out var n) ? n : null) ?? "http://127.0.0.1:4437");
        var endpoint = new Uri(node, "/_ursula" + AdminEndpoints.MembersPath);
        using var http = new HttpClient(new Security.ClusterHttpHandlers(new Security.ClusterSecret(settings.TryGetValue("ClusterSecret", out var secret) ? secret : null), Microsoft.Extensions.Options.Options.Create(new NodeOptions())).CreateHandler("cli"))
        {
            Timeout = TimeSpan.FromMinutes(3),
        };
        HttpResponseMessage response;
        switch (arguments)
        {
            case [] or ["list"]:
                response = await http.GetAsync(endpoint);
                break;
            case ["add", var url]:
                response = await http.PostAsync(new Uri($"{endpoint}?url={Uri.EscapeDataString(url)}"), content: null);
                break;
            case ["remove", var url]:
                response = await http.DeleteAsync(new Uri($"{endpoint}?url={Uri.EscapeDataString(url)}"));
                break;
            default:
                throw new CommandLineException("usage: members list | members add URL | members remove URL [--node URL]");
        }

        using (response)
        {
            Console.WriteLine(await response.Content.ReadAsStringAsync());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
    }
}

// `ursula members list | add URL | remove URL --node URL`: membership changes through any node.
// The admin endpoint needs the cluster secret: --cluster-secret (or URSULA_CLUSTERSECRET), else
// the one a node on this machine keeps in its --data-dir.
namespace Ursula.Server.Hosting.Cli;

public static class MembersVerb
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string> arguments)
    {
        var configuration = new ConfigurationManager();
        ServerHost.AddConfiguration(configuration, settings);
        var node = new Uri(configuration["Node"] ?? "http://127.0.0.1:4437");
        var secret = new Security.ClusterSecret(FindSecret(configuration));
        var endpoint = new Uri(node, Streams.StreamPath.ReservedPrefix + AdminEndpoints.MembersPath);
        using var http = new HttpClient(new Security.ClusterHttpHandlers(secret, Microsoft.Extensions.Options.Options.Create(new NodeOptions()), Security.ClusterTrust.From(Security.TlsOptions.Bind(configuration))).CreateHandler("cli"))
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
                throw new CommandLineException("usage: members list | members add URL | members remove URL [--node URL] [--data-dir PATH | --cluster-secret SECRET]");
        }

        using (response)
        {
            Console.WriteLine(await response.Content.ReadAsStringAsync());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
    }

    private static string FindSecret(ConfigurationManager configuration)
    {
        if (configuration["ClusterSecret"] is { Length: > 0 } given)
        {
            return given;
        }

        var dataDir = Path.GetFullPath(configuration["DataDir"] ?? "./data");
        return Security.ClusterSecretFile.Read(dataDir)
            ?? throw new CommandLineException($"members needs the cluster secret: pass --cluster-secret, or the --data-dir of a node on this machine ({Security.ClusterSecretFile.PathIn(dataDir)} does not exist)");
    }
}

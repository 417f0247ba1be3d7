// AddStreamHub and MapStreamHub: the hub's options, SignalR with the JSON and MessagePack
// protocols, and the cross-origin policy of the client surfaces under /_ursula (the hub and the
// stream listing): any origin without credentials by default, or a listed set with credentials.
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Ursula.Server.Hub;

public static class StreamHubExtensions
{
    /// <summary>The CORS policy of the client surfaces under the reserved prefix.</summary>
    public const string CorsPolicy = "ursula-clients";

    public static IServiceCollection AddStreamHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StreamHubOptions>()
            .Bind(configuration.GetSection(StreamHubOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.AllowedOrigins is ["*"] || !o.AllowedOrigins.Contains("*"), "Hub:AllowedOrigins is either [\"*\"] or a list of origins (empty: none)")
            .ValidateOnStart();
        services.TryAddSingleton<IStreamAccess, OpenStreamAccess>();
        services.AddSignalR()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new StreamItemJsonConverter()))
            .AddMessagePackProtocol();
        services.AddOptions<HubOptions>().Configure<IOptions<StreamHubOptions>>((hub, ours) =>
        {
            hub.MaximumReceiveMessageSize = ours.Value.MaxMessageBytes;
            hub.EnableDetailedErrors = false;
        });
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<StreamHubOptions>>((cors, ours) =>
            cors.AddPolicy(CorsPolicy, policy =>
            {
                policy.AllowAnyHeader().WithMethods("GET", "POST", "DELETE", "OPTIONS");
                if (ours.Value.AllowedOrigins is ["*"])
                {
                    policy.AllowAnyOrigin();
                }
                else
                {
                    policy.WithOrigins(ours.Value.AllowedOrigins).AllowCredentials();
                }
            }));
        return services;
    }

    /// <summary>Maps the hub at <paramref name="path"/> (inside the reserved branch: "/hub"); the builder takes an authorization policy later.</summary>
    public static HubEndpointConventionBuilder MapStreamHub(this IEndpointRouteBuilder endpoints, string path)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<StreamHubOptions>>().Value;
        var hub = endpoints.MapHub<StreamHub>(path, o => o.TransportSendTimeout = options.SendTimeout);
        hub.RequireCors(CorsPolicy);
        return hub;
    }
}

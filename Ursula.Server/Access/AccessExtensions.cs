// AddUrsulaAccess and UseUrsulaAccess: client authentication (API keys, JWTs), authorization by
// grants, limits, CORS origins and Host filtering, as one pipeline step in front of every client
// surface (see AccessMiddleware). The node's host adds both with one line each.
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Ursula.Server.Hosting;
using Ursula.Server.Hosting.Security;
using Ursula.Server.Hub;

namespace Ursula.Server.Access;

public static class AccessExtensions
{
    /// <summary>The authentication scheme the access step asks: API key or JWT by the token's shape.</summary>
    public const string Scheme = "Ursula";

    public static IServiceCollection AddUrsulaAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddOptions<LimitOptions>().Bind(configuration.GetSection(LimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<LiveConnections>();
        services.AddSingleton<IStreamAccess, GrantStreamAccess>();

        var access = configuration.GetSection(AccessOptions.Section).Get<AccessOptions>() ?? new AccessOptions();
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token", o => o.ForwardDefaultSelector = context =>
                access.JwtEnabled && !ClusterEndpoints.IsClusterEndpoint(context.Request.Path) && (!access.KeysEnabled || BearerToken.From(context.Request) is { } token && BearerToken.LooksLikeJwt(token))
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null)
            .AddJwtBearer(o => JwtSetup.Configure(o, access));

        // Hub:AllowedOrigins, when not set itself, follows Auth:AllowedOrigins (none with authentication on).
        if (configuration.GetSection($"{StreamHubOptions.Section}:{nameof(StreamHubOptions.AllowedOrigins)}").GetChildren().Any() is false)
        {
            services.PostConfigure<StreamHubOptions>(hub => hub.AllowedOrigins = access.EffectiveOrigins);
        }

        services.AddSingleton<IConfigureOptions<HostFilteringOptions>, HostFilterSetup>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.Value.MaxHeaderBytes);
        return services;
    }

    /// <summary>
    /// Checks Auth:* before anything starts (PostgreSQL, Raft), so that a node that would serve
    /// everyone beyond loopback stops at once; ValidateOnStart checks the same again later.
    /// </summary>
    public static void ValidateEarly(IConfiguration configuration, NodeOptions node)
    {
        var options = configuration.GetSection(AccessOptions.Section).Get<AccessOptions>() ?? new AccessOptions();
        var result = new AccessOptionsValidator(Options.Create(node)).Validate(null, options);
        if (result.Failed)
        {
            throw new Hosting.OptionsValidationException(result.FailureMessage);
        }

        if (options.KeysEnabled)
        {
            try
            {
                ApiKeyFile.Parse(File.ReadAllText(options.KeysFile!), Path.GetFullPath(options.KeysFile!));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new Hosting.OptionsValidationException(e.Message);
            }
        }
    }

    /// <summary>Host filtering, then the access step, then the rate limiter; after the cluster endpoints' own guard.</summary>
    public static IApplicationBuilder UseUrsulaAccess(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<AccessOptions>>().Value;
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccessExtensions).FullName!);
        if (options.Enabled)
        {
            var sources = new[] { options.KeysEnabled ? $"API keys from {options.KeysFile}" : null, options.JwtSecret is { Length: > 0 } ? "JWTs signed with Auth:JwtSecret" : null, options.JwksUrl is { Length: > 0 } ? $"JWTs signed with keys from {options.JwksUrl}" : null };
            AccessLog.AuthenticationOn(log, string.Join("; ", sources.OfType<string>()));
            _ = app.ApplicationServices.GetRequiredService<ApiKeyStore>();
        }
        else
        {
            AccessLog.AuthenticationOff(log);
        }

        var hosts = app.ApplicationServices.GetRequiredService<IOptions<HostFilteringOptions>>().Value.AllowedHosts;
        if (hosts is not ["*"])
        {
            AccessLog.HostsAllowed(log, string.Join(", ", hosts));
        }

        app.UseHostFiltering();
        app.UseMiddleware<AccessMiddleware>();
        app.UseMiddleware<RequestRates>();
        return app;
    }
}

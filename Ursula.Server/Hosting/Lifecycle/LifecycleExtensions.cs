// AddGracefulShutdown / UseDraining: the drain state, the stop sequence and the middleware that
// refuses requests while the node stops.
namespace Ursula.Server.Hosting.Lifecycle;

public static class LifecycleExtensions
{
    /// <summary>Room for the drain, the hand-over, the last PostgreSQL flush and Kestrel's own wait.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(45);

    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services)
    {
        services.AddSingleton<DrainState>();
        services.AddHostedService<GracefulShutdown>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        return services;
    }

    public static IApplicationBuilder UseDraining(this IApplicationBuilder app) => app.UseMiddleware<DrainMiddleware>();
}

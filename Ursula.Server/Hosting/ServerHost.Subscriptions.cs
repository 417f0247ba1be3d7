// The services of subscriptions: the HTTP surface (every node), the address policy for webhook
// URLs, the leadership signal and the leader's delivery service.
using Microsoft.Extensions.Options;
using Ursula.Server.Protocol;
using Ursula.Server.Replication;
using Ursula.Server.Replication.Subscriptions;

namespace Ursula.Server.Hosting;

public static partial class ServerHost
{
    private static void AddSubscriptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SubscriptionOptions>().Bind(configuration.GetSection(SubscriptionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new WebhookAddressPolicy(sp.GetRequiredService<IOptions<SubscriptionOptions>>().Value.AllowLocalHttpWebhooks));
        services.AddSingleton<SubscriptionEndpoints>();
        services.AddSingleton<LeadershipSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService<SubscriptionService>();
    }
}

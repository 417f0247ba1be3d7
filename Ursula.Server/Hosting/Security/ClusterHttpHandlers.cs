// HTTP handlers for node-to-node traffic. DotNext asks the DI container's
// IHttpMessageHandlerFactory for its Raft client handler; this one adds the cluster secret and a
// short connect timeout so that a dead peer is noticed within an election timeout.
namespace Ursula.Server.Hosting.Security;

public sealed class ClusterHttpHandlers(ClusterSecret secret) : IHttpMessageHandlerFactory
{
    public HttpMessageHandler CreateHandler(string name) => new SecretHandler(secret)
    {
        InnerHandler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        },
    };

    private sealed class SecretHandler(ClusterSecret secret) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            secret.Apply(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

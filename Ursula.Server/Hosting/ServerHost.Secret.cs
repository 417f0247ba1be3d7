// Which cluster secret a node uses. There are no open cluster endpoints: a lone node without
// --cluster-secret generates its own (DATA_DIR/cluster-secret); a node that is to talk to other
// nodes must be given the secret they share, since a generated one would lock them out.
using Ursula.Server.Hosting.Security;

namespace Ursula.Server.Hosting;

public static partial class ServerHost
{
    internal static (ClusterSecret Secret, string Source) ResolveClusterSecret(NodeOptions node)
    {
        if (!string.IsNullOrEmpty(node.ClusterSecret))
        {
            return (new ClusterSecret(node.ClusterSecret), "--cluster-secret (or URSULA_CLUSTERSECRET)");
        }

        if (node.Join)
        {
            throw new OptionsValidationException("--join needs the cluster's secret: start this node with the --cluster-secret the members use (or URSULA_CLUSTERSECRET)");
        }

        if (Membership.Members(node).Count > 1)
        {
            throw new OptionsValidationException("a cluster of more than one node needs a shared secret: start every node with the same --cluster-secret (or URSULA_CLUSTERSECRET)");
        }

        return (new ClusterSecret(ClusterSecretFile.ReadOrCreate(node.FullDataDir)), ClusterSecretFile.PathIn(node.FullDataDir));
    }
}

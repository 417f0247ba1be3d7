// Every SDK call goes through CallAsync, which counts it and turns whatever the SDK, the HTTP
// stack or a timeout throws into ObjectStoreException. The caller's own cancellation stays an
// OperationCanceledException.
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Ursula.Archive.Storage;

public sealed partial class S3ObjectStore
{
    private async Task<T> CallAsync<T>(string? key, string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        Statistics.Request();
        try
        {
            return await call();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
        {
            throw new ObjectStoreException(Description, key, what, ex, notFound: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            throw new ObjectStoreException(Description, key, $"{what} ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }
}

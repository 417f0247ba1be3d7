// Objects in an S3 bucket (AWSSDK.S3 4.x). A PUT is atomic on S3 by itself. Range reads are HTTP
// range GETs, so reading one row group fetches that row group only. Checksums are computed and
// validated only where S3 requires them and uploads are not chunk-encoded: S3-compatible stores
// that do not understand the SDK's newer defaults would otherwise keep chunk signatures inside
// the object.
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ursula.Archive.Storage;

public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client client;
    private readonly string bucket;
    private readonly string prefix;

    public S3ObjectStore(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bucket = options.Bucket;
        prefix = options.NormalizedPrefix ?? "";
        var config = new AmazonS3Config
        {
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.RequestTimeout,
            ForcePathStyle = options.ForcePathStyle ?? options.Endpoint is not null,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        client = options.AccessKeyId is { } keyId
            ? new AmazonS3Client(new BasicAWSCredentials(keyId, options.SecretAccessKey), config)
            : new AmazonS3Client(config);
        Description = $"s3://{bucket}/{prefix}";
    }

    public string Description { get; }

    public ObjectStoreStatistics Statistics { get; } = new();

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        var length = content.CanSeek ? content.Length - content.Position : -1;
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = prefix + key,
            InputStream = content,
            AutoCloseStream = false,
            UseChunkEncoding = false,
            ContentType = key.EndsWith(".parquet", StringComparison.Ordinal) ? "application/vnd.apache.parquet" : "application/octet-stream",
        };
        await CallAsync(key, "could not put", async () => await client.PutObjectAsync(request, cancellationToken), cancellationToken);
        if (length >= 0)
        {
            Statistics.Wrote(length);
        }
    }

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        try
        {
            var response = await CallAsync(key, "could not head", () => client.GetObjectMetadataAsync(bucket, prefix + key, cancellationToken), cancellationToken);
            return new ObjectInfo(key, response.ContentLength, response.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
        }
        catch (ObjectStoreException ex) when (ex.NotFound)
        {
            return null;
        }
    }

    public async Task<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (destination.IsEmpty)
        {
            return 0;
        }

        var request = new GetObjectRequest
        {
            BucketName = bucket,
            Key = prefix + key,
            ByteRange = new ByteRange(offset, offset + destination.Length - 1),
        };
        return await CallAsync(key, "could not read", async () =>
        {
            using var response = await client.GetObjectAsync(request, cancellationToken);
            var total = 0;
            while (total < destination.Length)
            {
                var read = await response.ResponseStream.ReadAsync(destination[total..], cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            Statistics.Read(total);
            return total;
        }, cancellationToken);
    }

    public async Task DownloadAsync(string key, Stream destination, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        await CallAsync(key, "could not download", async () =>
        {
            using var response = await client.GetObjectAsync(bucket, prefix + key, cancellationToken);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                Statistics.Read(read);
            }

            return 0;
        }, cancellationToken);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string listPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(listPrefix);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + listPrefix };
        while (true)
        {
            var response = await CallAsync(listPrefix, "could not list", () => client.ListObjectsV2Async(request, cancellationToken), cancellationToken);
            foreach (var item in response.S3Objects ?? [])
            {
                yield return new ObjectInfo(
                    item.Key[prefix.Length..],
                    item.Size ?? 0,
                    item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        try
        {
            await CallAsync(key, "could not delete", () => client.DeleteObjectAsync(bucket, prefix + key, cancellationToken), cancellationToken);
        }
        catch (ObjectStoreException ex) when (ex.NotFound)
        {
        }
    }

    /// <summary>Creates the bucket when it does not exist (for development stores and tests).</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(null, "could not create bucket", () => client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken), cancellationToken);
        }
        catch (ObjectStoreException ex) when (ex.InnerException is AmazonS3Exception { ErrorCode: "BucketAlreadyOwnedByYou" or "BucketAlreadyExists" })
        {
        }
    }

    public void Dispose() => client.Dispose();
}

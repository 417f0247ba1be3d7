// Where an S3-compatible archive lives. Without an endpoint this is AWS S3 in the region; with one
// (MinIO, R2, s3rver, ...) requests go there with path-style addressing. Credentials come from the
// standard AWS chain (environment variables, profile, instance role) unless both keys are given.
namespace Ursula.Archive.Storage;

public sealed class S3StoreOptions
{
    public string Bucket { get; set; } = "";

    /// <summary>Prepended to every key ("team/ursula" stores "team/ursula/v1/data/...").</summary>
    public string? Prefix { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>An S3-compatible endpoint such as http://127.0.0.1:9000; null for AWS itself.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Path-style addressing (bucket in the path); defaults to on when an endpoint is set.</summary>
    public bool? ForcePathStyle { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    /// <summary>Retries of a failed request inside the SDK before the store gives up.</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary>Timeout of one request attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new ArgumentException("An S3 archive needs a bucket.", nameof(Bucket));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException("An S3 archive needs a region.", nameof(Region));
        }

        if ((AccessKeyId is null) != (SecretAccessKey is null))
        {
            throw new ArgumentException("Give both the access key id and the secret, or neither (the AWS chain).", nameof(AccessKeyId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxErrorRetry);
        if (NormalizedPrefix is { } prefix)
        {
            ObjectKeys.ValidatePrefix(prefix);
        }
    }

    /// <summary>The prefix without surrounding slashes and with one trailing slash, or null.</summary>
    internal string? NormalizedPrefix => string.IsNullOrWhiteSpace(Prefix) ? null : Prefix.Trim('/') + "/";
}

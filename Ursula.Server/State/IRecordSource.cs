namespace Ursula.Server.State;

/// <summary>Records no longer in the hot tail: PostgreSQL (and later the archive).</summary>
public interface IRecordSource
{
    /// <summary>Records of a stream overlapping [from, to), in order, up to about maxBytes of payload.</summary>
    ValueTask<IReadOnlyList<DataRecord>> ReadAsync(long streamId, long from, long to, long maxBytes, CancellationToken cancellationToken);
}

// What apply changed in one part of the replicated state besides the streams themselves (the
// archive manifest, and whatever comes next): a change set knows how to fold newer changes into
// itself after a failed flush and how to write itself in the flush's transaction, so that a new
// kind of state adds its own change set and never edits the flusher.
using Npgsql;

namespace Ursula.Server.State;

public interface IChangeSet
{
    bool IsEmpty { get; }

    /// <summary>Folds a newer change set of the same type into this one (this one failed to flush).</summary>
    void Absorb(IChangeSet newer);

    /// <summary>
    /// Writes the changes inside the flush's transaction, after the stream rows and records of the
    /// same batch. Must be idempotent: a retry may repeat a batch whose commit succeeded.
    /// </summary>
    Task WriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken);
}

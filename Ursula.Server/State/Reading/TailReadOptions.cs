namespace Ursula.Server.State.Reading;

/// <summary>How one live reader reads.</summary>
/// <param name="MaxChunkBytes">The most payload one data item carries.</param>
/// <param name="KeepAlive">
/// When set, a reader idle at the tail for this long gets a <see cref="TailItemKind.KeepAlive"/>
/// item. Such a reader waits without a timer or cancellation registration of its own: the
/// <see cref="LiveReaderTicker"/> wakes its stream about once a second, and it notices cancellation
/// then (this is what lets SSE hold thousands of idle connections cheaply). Without it the reader
/// waits for the stream's signal or its cancellation token, whichever comes first.
/// </param>
public sealed record TailReadOptions(long MaxChunkBytes, TimeSpan? KeepAlive = null);

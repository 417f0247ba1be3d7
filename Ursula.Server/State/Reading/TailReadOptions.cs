namespace Ursula.Server.State.Reading;

/// <summary>How one live reader reads.</summary>
/// <param name="MaxChunkBytes">The most payload one data item carries.</param>
/// <param name="KeepAlive">When set, a reader idle at the tail for this long gets a <see cref="TailItemKind.KeepAlive"/> item.</param>
/// <param name="TickerWakes">
/// True for a reader that waits on the stream's signal alone, without a timer or cancellation
/// registration of its own: the <see cref="LiveReaderTicker"/> wakes its stream about once a
/// second, and it notices cancellation then. This is what lets thousands of live readers of a
/// stream cost one completed task per append. Keep-alives need it. A reader without it (a
/// long-poll, whose timeout is exact) waits for the signal or its cancellation, whichever is first.
/// </param>
public sealed record TailReadOptions(long MaxChunkBytes, TimeSpan? KeepAlive = null, bool TickerWakes = false)
{
    public bool Ticked => TickerWakes || KeepAlive is not null;
}

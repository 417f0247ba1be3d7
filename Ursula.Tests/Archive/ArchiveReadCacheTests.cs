using Ursula.Archive.Format;
using Ursula.Archive.Reading;

namespace Ursula.Tests.Archive;

[Trait("Category", "Archive")]
public sealed class ArchiveReadCacheTests
{
    private static DecodedRowGroup Group() => new([1], [new ArchiveRecord(0, 3, 0, 1, [1, 2, 3])]);

    [Fact]
    public async Task Readers_that_miss_one_row_group_together_decode_it_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var cache = new ArchiveReadCache();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var decodes = 0;
        var group = Group();

        var readers = Enumerable.Range(0, 8).Select(_ => cache.GetOrDecodeAsync("k", 2, async () =>
        {
            Interlocked.Increment(ref decodes);
            await gate.Task;
            return group;
        }, ct)).ToList();
        await Task.Delay(50, ct);
        gate.SetResult();

        var results = await Task.WhenAll(readers);
        Assert.Equal(1, decodes);
        Assert.All(results, r => Assert.Same(group, r));
        Assert.True(cache.TryGetDecoded("k", 2, out var cached));
        Assert.Same(group, cached);
    }

    [Fact]
    public async Task A_waiter_decodes_itself_when_the_reader_that_was_decoding_is_cancelled()
    {
        var ct = TestContext.Current.CancellationToken;
        var cache = new ArchiveReadCache();
        using var first = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = Group();

        var cancelled = cache.GetOrDecodeAsync("k", 0, async () =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, first.Token);
            return group;
        }, first.Token);
        await started.Task;
        var waiter = cache.GetOrDecodeAsync("k", 0, () => Task.FromResult(group), ct);
        await first.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Same(group, await waiter);
    }

    [Fact]
    public async Task A_failed_decode_reaches_every_waiter_and_is_not_cached()
    {
        var ct = TestContext.Current.CancellationToken;
        var cache = new ArchiveReadCache();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var readers = Enumerable.Range(0, 3).Select(_ => cache.GetOrDecodeAsync("k", 1, async () =>
        {
            await gate.Task;
            throw new FormatException("bad");
        }, ct)).ToList();
        await Task.Delay(50, ct);
        gate.SetResult();

        foreach (var reader in readers)
        {
            await Assert.ThrowsAsync<FormatException>(() => reader);
        }

        Assert.False(cache.TryGetDecoded("k", 1, out _));
    }
}

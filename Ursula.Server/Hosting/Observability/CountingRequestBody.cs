// The request body pipe as the handlers see it, counting the bytes they consume (chunked bodies
// have no Content-Length to count by).
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Ursula.Server.Hosting.Observability;

internal sealed class CountingRequestBody(PipeReader inner) : PipeReader, IRequestBodyPipeFeature
{
    private ReadOnlySequence<byte> last;

    public long Consumed { get; private set; }

    PipeReader IRequestBodyPipeFeature.Reader => this;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        last = result.Buffer;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        last = result.Buffer;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
        Count(consumed);
        inner.AdvanceTo(consumed);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        Count(consumed);
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private void Count(SequencePosition consumed)
    {
        if (!last.IsEmpty)
        {
            Consumed += last.Slice(last.Start, consumed).Length;
        }

        last = default;
    }
}

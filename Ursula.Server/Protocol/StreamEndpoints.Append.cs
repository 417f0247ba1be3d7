// POST: append, append-and-close, close-only; Stream-Seq and idempotent producer headers.
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.Protocol;

public sealed partial class StreamEndpoints
{
    private async Task AppendAsync(HttpContext context, string path)
    {
        var headers = context.Request.Headers;
        var close = HeaderValues.IsTrue(headers[ProtocolHeaders.Closed]);
        if (!TryParseProducer(context, out var producer, out var producerError))
        {
            await Problem.WriteAsync(context, 400, producerError!);
            return;
        }

        using var body = await RequestBody.ReadAsync(context.Request, options.MaxAppendBytes, context.RequestAborted);
        if (body is null)
        {
            await RequestBody.WriteTooLargeAsync(context, options.MaxAppendBytes);
            return;
        }

        var contentType = context.Request.ContentType;
        var commandBody = CommandBody.None;
        if (body.Length == 0)
        {
            if (!close)
            {
                await Problem.WriteAsync(context, 400, "An append needs a body (only a close, with Stream-Closed: true, may be empty)");
                return;
            }

            // A close-only request ignores its Content-Type, whatever a client library attached.
            contentType = null;
        }
        else
        {
            if (string.IsNullOrWhiteSpace(contentType))
            {
                await Problem.WriteAsync(context, 400, "Content-Type is required when appending data");
                return;
            }

            commandBody = CommandBody.ForAppend(body.Memory, contentType);
        }

        var seq = headers[ProtocolHeaders.Seq].ToString();
        var command = new AppendStreamCommand(path, contentType, seq.Length > 0 ? seq : null, producer, close, commandBody);
        var outcome = await SubmitAsync(command, body, context);

        await WriteOutcomeAsync(context, outcome);
    }

    private static bool TryParseProducer(HttpContext context, out ProducerClaim? producer, out string? error)
    {
        producer = null;
        error = null;
        var headers = context.Request.Headers;
        var hasId = headers.TryGetValue(ProtocolHeaders.ProducerId, out var id);
        var hasEpoch = headers.TryGetValue(ProtocolHeaders.ProducerEpoch, out var epochText);
        var hasSeq = headers.TryGetValue(ProtocolHeaders.ProducerSeq, out var seqText);
        if (!hasId && !hasEpoch && !hasSeq)
        {
            return true;
        }

        if (!(hasId && hasEpoch && hasSeq))
        {
            error = "Producer-Id, Producer-Epoch and Producer-Seq must be sent together";
            return false;
        }

        if (string.IsNullOrEmpty(id.ToString()))
        {
            error = "Producer-Id must not be empty";
            return false;
        }

        if (!HeaderValues.TryParseProducerNumber(epochText.ToString(), out var epoch))
        {
            error = "Producer-Epoch must be a non-negative integer no larger than 2^53-1";
            return false;
        }

        if (!HeaderValues.TryParseProducerNumber(seqText.ToString(), out var seq))
        {
            error = "Producer-Seq must be a non-negative integer no larger than 2^53-1";
            return false;
        }

        producer = new ProducerClaim(id.ToString(), epoch, seq);
        return true;
    }
}

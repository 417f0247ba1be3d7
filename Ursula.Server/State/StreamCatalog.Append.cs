// Apply of POST: appends, Stream-Seq ordering, idempotent producers and closure, in the order of
// checks the protocol recommends (closed, then content type, then a malformed body, then
// producer, then Stream-Seq).
using Ursula.Server.State.Commands;
using Ursula.Server.Streams;

namespace Ursula.Server.State;

public sealed partial class StreamCatalog
{
    internal ApplyOutcome Append(AppendStreamCommand command, ApplyContext context)
    {
        var (index, touched) = (context.Index, context.Touched);
        if (!TryGetLive(command.Path, touched, out var handle, out var missing))
        {
            return missing;
        }

        var meta = handle.Meta;
        if (command.Body.IsEmpty && command.Close)
        {
            return CloseOnly(handle, meta, command, touched);
        }

        if (meta.Closed)
        {
            return command.Producer is { } claim && meta.ClosedBy == new ProducerRef(claim.Id, claim.Epoch, claim.Seq)
                ? new ApplyOutcome(204) { Tail = meta.Tail, Closed = true, ProducerEpoch = claim.Epoch, ProducerSeq = claim.Seq }
                : new ApplyOutcome(409) { Tail = meta.Tail, Closed = true, Error = "Stream is closed" };
        }

        if (command.ContentType is not null && !ContentTypes.SameMediaType(command.ContentType, meta.ContentType))
        {
            return ApplyOutcome.Fail(409, "Content-Type does not match the stream's");
        }

        if (command.Body.IsMalformed)
        {
            return ApplyOutcome.Fail(400, command.Body.MalformedReason);
        }

        ProducerState? accepted = null;
        if (command.Producer is { } producer)
        {
            var check = CheckProducer(handle, producer);
            if (check.Outcome is not null)
            {
                return check.Outcome;
            }

            accepted = check.Accepted;
        }

        if (command.StreamSeq is not null && meta.LastStreamSeq is not null
            && string.CompareOrdinal(command.StreamSeq, meta.LastStreamSeq) <= 0)
        {
            return ApplyOutcome.Fail(409, "Stream-Seq must increase");
        }

        if (!TryPrepareBody(command.Body, meta.IsJson, allowEmptyArray: false, out var body, out var bodyError))
        {
            return ApplyOutcome.Fail(bodyError!.Value.Status, bodyError.Value.Message);
        }

        meta = AddRecord(handle, meta, body, index, command.Producer);
        meta = meta with
        {
            LastAccessMs = clockMs,
            LastStreamSeq = command.StreamSeq ?? meta.LastStreamSeq,
            Closed = command.Close,
            ClosedBy = command.Close && command.Producer is { } p ? new ProducerRef(p.Id, p.Epoch, p.Seq) : null,
        };
        if (command.Producer is { } accepter && accepted is { } state)
        {
            SetProducer(handle, accepter.Id, state);
        }

        Publish(handle, meta, touched);
        SubscriptionsAdvanced(handle, context);
        return new ApplyOutcome(command.Producer is null ? 204 : 200)
        {
            Tail = meta.Tail,
            Closed = meta.Closed,
            ProducerEpoch = command.Producer?.Epoch,
            ProducerSeq = command.Producer?.Seq,
        };
    }

    private ApplyOutcome CloseOnly(StreamHandle handle, StreamMeta meta, AppendStreamCommand command, HashSet<StreamHandle> touched)
    {
        if (command.Producer is not { } claim)
        {
            Publish(handle, meta with { Closed = true, LastAccessMs = clockMs }, touched);
            return new ApplyOutcome(204) { Tail = meta.Tail, Closed = true };
        }

        if (meta.Closed)
        {
            return meta.ClosedBy == new ProducerRef(claim.Id, claim.Epoch, claim.Seq)
                ? new ApplyOutcome(204) { Tail = meta.Tail, Closed = true, ProducerEpoch = claim.Epoch, ProducerSeq = claim.Seq }
                : new ApplyOutcome(409) { Tail = meta.Tail, Closed = true, Error = "Stream is closed" };
        }

        var check = CheckProducer(handle, claim);
        if (check.Outcome is not null)
        {
            return check.Outcome.Status == 204 ? check.Outcome with { Tail = meta.Tail, Closed = meta.Closed } : check.Outcome;
        }

        SetProducer(handle, claim.Id, check.Accepted!.Value);
        Publish(handle, meta with { Closed = true, ClosedBy = new ProducerRef(claim.Id, claim.Epoch, claim.Seq), LastAccessMs = clockMs }, touched);
        return new ApplyOutcome(204) { Tail = meta.Tail, Closed = true, ProducerEpoch = claim.Epoch, ProducerSeq = claim.Seq };
    }

    /// <summary>Kafka-style validation: fencing by epoch, then duplicate, next, or gap by sequence.</summary>
    private (ApplyOutcome? Outcome, ProducerState? Accepted) CheckProducer(StreamHandle handle, ProducerClaim claim)
    {
        if (!handle.Producers.TryGetValue(claim.Id, out var state))
        {
            return claim.Seq == 0
                ? (null, new ProducerState(claim.Epoch, 0, clockMs))
                : (SequenceGap(0, claim.Seq), null);
        }

        if (claim.Epoch < state.Epoch)
        {
            return (new ApplyOutcome(403) { ProducerEpoch = state.Epoch, Error = "Stale producer epoch" }, null);
        }

        if (claim.Epoch > state.Epoch)
        {
            return claim.Seq == 0
                ? (null, new ProducerState(claim.Epoch, 0, clockMs))
                : (ApplyOutcome.Fail(400, "A new producer epoch must start at Producer-Seq 0"), null);
        }

        if (claim.Seq <= state.LastSeq)
        {
            return (new ApplyOutcome(204) { ProducerEpoch = claim.Epoch, ProducerSeq = state.LastSeq }, null);
        }

        return claim.Seq == state.LastSeq + 1
            ? (null, new ProducerState(claim.Epoch, claim.Seq, clockMs))
            : (SequenceGap(state.LastSeq + 1, claim.Seq), null);
    }

    private static ApplyOutcome SequenceGap(long expected, long received) =>
        new(409) { ExpectedSeq = expected, ReceivedSeq = received, Error = "Producer sequence gap" };

    private StreamMeta AddRecord(StreamHandle handle, StreamMeta meta, PreparedBody body, long index, ProducerClaim? producer)
    {
        var record = new DataRecord(meta.Tail, meta.Tail + body.Length, body.Payload, clockMs, index, producer?.Id, producer?.Epoch, producer?.Seq);
        handle.Data.Append(record);
        budget.Track(handle.Data, record);
        current.AddRecord(handle.Id, record);
        return meta with { Tail = record.End, HotBytes = meta.HotBytes + record.Payload.Length };
    }

    private readonly record struct PreparedBody(byte[] Payload, long Length);

    private readonly record struct BodyError(int Status, string Message);

    /// <summary>Turns a command body into stored form for the stream's content type.</summary>
    private static bool TryPrepareBody(CommandBody body, bool streamIsJson, bool allowEmptyArray, out PreparedBody prepared, out BodyError? error)
    {
        prepared = default;
        error = null;
        if (body.IsMalformed)
        {
            error = new BodyError(400, body.MalformedReason);
            return false;
        }

        if (!streamIsJson)
        {
            if (body.IsJson)
            {
                error = new BodyError(409, "Content-Type does not match the stream's");
                return false;
            }

            prepared = new PreparedBody(body.Payload.ToArray(), body.Payload.Length);
            return true;
        }

        var batch = new JsonBatch(body.Payload, body.JsonCount);
        if (!body.IsJson)
        {
            if (body.Payload.IsEmpty)
            {
                prepared = new PreparedBody([], 0);
                return true;
            }

            if (!JsonMessages.TryFlatten(body.Payload, allowEmptyArray, out batch, out var jsonError))
            {
                error = new BodyError(400, jsonError!);
                return false;
            }
        }

        prepared = new PreparedBody(batch.Payload.ToArray(), batch.Count);
        return true;
    }
}

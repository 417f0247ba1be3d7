// Appends through the hub. SignalR does not overload hub methods by argument list, so each
// variant has its own name: Append (text; for JSON streams JSON text as in a POST body),
// AppendBytes, and AppendAs / AppendBytesAs with an idempotent producer's id, epoch and seq.
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Ursula.Server.State.Commands;

namespace Ursula.Server.Hub;

public sealed partial class StreamHub
{
    public Task<AppendResult> Append(string path, string data) =>
        AppendCoreAsync(nameof(Append), path, Encoding.UTF8.GetBytes(data ?? string.Empty), null);

    [HubMethodName("AppendBytes")]
    public Task<AppendResult> Append(string path, byte[] data) =>
        AppendCoreAsync("AppendBytes", path, data ?? [], null);

    [HubMethodName("AppendAs")]
    public Task<AppendResult> Append(string path, string data, ProducerClaimInput producer) =>
        AppendCoreAsync("AppendAs", path, Encoding.UTF8.GetBytes(data ?? string.Empty), producer);

    [HubMethodName("AppendBytesAs")]
    public Task<AppendResult> Append(string path, byte[] data, ProducerClaimInput producer) =>
        AppendCoreAsync("AppendBytesAs", path, data ?? [], producer);

    private Task<AppendResult> AppendCoreAsync(string method, string path, byte[] data, ProducerClaimInput? producer) =>
        RunAsync(method, path, StreamAccessKind.Write, async (stream, ct) =>
        {
            if (producer is not null && string.IsNullOrEmpty(producer.Id))
            {
                throw HubErrors.Status(400, "producer.id must not be empty");
            }

            // The stream's own type: a hub client sends data, never a Content-Type, so it cannot mismatch.
            var (_, meta) = await FindAsync(stream, ct);
            var claim = producer is null ? (ProducerClaim?)null : new ProducerClaim(producer.Id, producer.Epoch, producer.Seq);
            var body = data.Length == 0 ? CommandBody.None : CommandBody.ForAppend(data, meta.ContentType);
            var outcome = await SubmitAsync(new AppendStreamCommand(stream, meta.ContentType, null, claim, false, body), ct);
            return ToAppendResult(outcome, stream, claim is not null);
        });
}

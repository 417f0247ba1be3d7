// Reads a request body into one pooled buffer, refusing bodies over the configured limit. A body
// that is not valid HTTP framing ends in BadHttpRequestException, which BadRequestMiddleware answers.
using System.Buffers;
using System.IO.Pipelines;

namespace Ursula.Server.Protocol;

public sealed class RequestBody : IDisposable
{
    private byte[]? rented;

    private RequestBody(byte[]? rented, int length)
    {
        this.rented = rented;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => rented is null ? ReadOnlyMemory<byte>.Empty : rented.AsMemory(0, Length);

    public static RequestBody Empty => new(null, 0);

    /// <summary>
    /// Answers 413 for a body over <paramref name="maxBytes"/>. The rest of the body is never
    /// buffered: Kestrel discards it for keep-alive, for at most five seconds.
    /// </summary>
    public static Task WriteTooLargeAsync(HttpContext context, long maxBytes) =>
        Problem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body exceeds the limit of {maxBytes} bytes");

    /// <summary>Null when the body exceeds <paramref name="maxBytes"/>.</summary>
    public static async ValueTask<RequestBody?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > maxBytes)
        {
            return null;
        }

        if (request.ContentLength == 0)
        {
            return Empty;
        }

        var reader = request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, Math.Max(request.ContentLength ?? 4096, 256)));
        var length = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    if (length + segment.Length > maxBytes)
                    {
                        reader.AdvanceTo(result.Buffer.End);
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    if (length + segment.Length > buffer.Length)
                    {
                        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, Math.Max(buffer.Length * 2L, length + segment.Length)));
                        buffer.AsSpan(0, length).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = grown;
                    }

                    segment.Span.CopyTo(buffer.AsSpan(length));
                    length += segment.Length;
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (IOException e) when (e is not BadHttpRequestException && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some framing errors (a chunk size that overflows) as a plain IOException.
            ArrayPool<byte>.Shared.Return(buffer);
            throw new BadHttpRequestException($"The request body is malformed: {e.Message}", StatusCodes.Status400BadRequest, e);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return Empty;
        }

        return new RequestBody(buffer, length);
    }

    /// <summary>
    /// Gives the buffer up to the garbage collector instead of the pool: used when a command made
    /// from this body may still sit in a queue (its submitter gave up waiting), where a pooled
    /// buffer handed to another request would change the command's bytes under it.
    /// </summary>
    public void Abandon() => rented = null;

    public void Dispose()
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
            rented = null;
        }
    }
}

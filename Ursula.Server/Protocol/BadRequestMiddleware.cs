// Requests the server cannot even read (bad chunked framing, a body over Kestrel's limits) end in
// BadHttpRequestException wherever the body is read; answer them with their 4xx and a short
// problem body instead of letting them surface as 500.
namespace Ursula.Server.Protocol;

internal sealed class BadRequestMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await Problem.WriteAsync(context, e.StatusCode, e.Message);
        }
    }
}

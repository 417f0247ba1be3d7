// Where a client's token is read from: "Authorization: Bearer TOKEN", and for the SignalR hub
// also the access_token query parameter, since browsers cannot set headers on WebSockets (the
// SignalR client sends its accessTokenFactory's token there). No other surface takes a token from
// the URL, where it would end up in logs and histories.
namespace Ursula.Server.Access;

public static class BearerToken
{
    public const string Scheme = "Bearer";

    public const string QueryParameter = "access_token";

    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header[(Scheme.Length + 1)..].Trim();
            return token.Length > 0 ? token : null;
        }

        if (header.Length == 0 && RequestClassifier.IsHub(request.Path) && request.Query[QueryParameter].ToString() is { Length: > 0 } query)
        {
            return query;
        }

        return null;
    }

    /// <summary>True when the token has the three dot-separated parts of a JWS compact serialization.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;
}

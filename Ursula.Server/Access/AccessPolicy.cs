// The decisions every surface shares: whether authentication is on, which grants a caller holds,
// whether they cover a path or a subtree, when the caller's token expires and which client a
// request counts against for rate and connection limits. HTTP (AccessMiddleware), the hub
// (GrantStreamAccess) and the listing all ask here, so one rule holds on every surface.
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Ursula.Server.Access;

public sealed class AccessPolicy(IOptions<AccessOptions> options, TimeProvider time)
{
    /// <summary>The claim a principal's client identity is read from (a key's id, a JWT's sub).</summary>
    public const string SubjectClaim = "sub";

    /// <summary>The claim of a token's expiry, in Unix seconds (JWT exp; a key's expires).</summary>
    public const string ExpiryClaim = "exp";

    private static readonly TimeSpan MaxTimer = TimeSpan.FromDays(40);

    private readonly ConditionalWeakTable<ClaimsPrincipal, Grant[]> cache = [];

    public bool Enabled { get; } = options.Value.Enabled;

    public string GrantsClaim { get; } = options.Value.GrantsClaim;

    /// <summary>The grants of an authenticated caller (none for an anonymous one).</summary>
    public Grant[] GrantsOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return [];
        }

        return cache.GetValue(user, u => u.FindAll(GrantsClaim)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(text => Grant.Parse(text, out _))
            .OfType<Grant>()
            .ToArray());
    }

    /// <summary>True when the caller may act at <paramref name="needed"/> on the stream <paramref name="path"/>.</summary>
    public bool Allows(ClaimsPrincipal? user, AccessLevel needed, string path) =>
        !Enabled || needed == AccessLevel.None || GrantsOf(user).Any(g => g.Allows(needed, path));

    /// <summary>True when the caller may act at <paramref name="needed"/> on every path under <paramref name="root"/>.</summary>
    public bool AllowsSubtree(ClaimsPrincipal? user, AccessLevel needed, string root) =>
        !Enabled || GrantsOf(user).Any(g => g.AllowsSubtree(needed, root));

    /// <summary>True when the caller holds any grant at all (the listing is refused to one without).</summary>
    public bool HoldsAnyGrant(ClaimsPrincipal? user) => !Enabled || GrantsOf(user).Length > 0;

    public static bool IsAuthenticated(ClaimsPrincipal? user) => user?.Identity?.IsAuthenticated == true;

    /// <summary>When the caller's token stops being valid; null for one that does not expire (or no token).</summary>
    public static DateTimeOffset? ExpiresAt(ClaimsPrincipal? user) =>
        user?.FindFirst(ExpiryClaim)?.Value is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public bool IsExpired(ClaimsPrincipal? user) => ExpiresAt(user) is { } at && at <= time.GetUtcNow();

    /// <summary>
    /// A token source cancelled when the caller's token expires, for the live readers that outlast
    /// the check at their start; null when it never does.
    /// </summary>
    public CancellationTokenSource? ExpiryTimer(ClaimsPrincipal? user)
    {
        if (!Enabled || ExpiresAt(user) is not { } at)
        {
            return null;
        }

        // A timer cannot wait longer than about 49 days; no live reader lives as long as the longest one that can.
        var left = at - time.GetUtcNow();
        return left > MaxTimer ? null : new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
    }

    /// <summary>Which client a request counts against: its token's subject when it has one, else its IP address.</summary>
    public static string ClientKey(HttpContext context) =>
        IsAuthenticated(context.User) && context.User.FindFirst(SubjectClaim)?.Value is { Length: > 0 } subject
            ? "token:" + subject
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

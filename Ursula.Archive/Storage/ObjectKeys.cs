// Keys are validated the same way by every store, so a key that works on the filesystem works on
// S3 and the other way round: relative, '/'-separated, no empty, "." or ".." segments, and no
// segment starting with '.', which the filesystem store keeps for its temporary files.
namespace Ursula.Archive.Storage;

internal static class ObjectKeys
{
    public static void Validate(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains('\\', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Object key '{key}' contains a backslash or NUL.", nameof(key));
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.')
            {
                throw new ArgumentException($"Object key '{key}' has an empty segment or one starting with '.'.", nameof(key));
            }
        }
    }

    /// <summary>A list prefix: empty, or a relative path that may end in '/'.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            Validate(prefix.EndsWith('/') ? prefix[..^1] : prefix);
        }
    }
}

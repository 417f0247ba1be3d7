// The archive's key layout, version 1. It is stable: readers of any later version still find
// version-1 objects here, and a new layout gets a new top-level version folder beside v1/.
//
//   v1/data/YYYY/MM/DD/<object-id>.parquet   data objects (UTC date the object was written)
//   v1/meta/<name>                           anything else (never ending in .parquet)
//
// Only data objects end in .parquet, so one glob (v1/data/*/*/*/*.parquet) reads the whole
// archive from DuckDB, Spark or Athena. Object ids sort by time: yyyyMMddTHHmmssfffZ-<16 hex>.
using System.Globalization;
using System.Security.Cryptography;

namespace Ursula.Archive.Layout;

public static class ArchiveKeys
{
    public const string Version = "v1";
    public const string DataPrefix = "v1/data/";
    public const string MetaPrefix = "v1/meta/";
    public const string DataSuffix = ".parquet";

    /// <summary>The glob, relative to the archive root, that matches every data object.</summary>
    public const string DataGlob = "v1/data/*/*/*/*.parquet";

    public static string NewObjectId(DateTimeOffset writtenAt)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return $"{writtenAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(random)}";
    }

    public static string DataKey(DateTimeOffset writtenAt, string objectId)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectId);
        if (objectId.Contains('/', StringComparison.Ordinal) || objectId.StartsWith('.'))
        {
            throw new ArgumentException($"Object id '{objectId}' is not a single name.", nameof(objectId));
        }

        var day = writtenAt.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{DataPrefix}{day:yyyy}/{day:MM}/{day:dd}/{objectId}{DataSuffix}");
    }

    public static bool IsDataKey(string key) =>
        key.StartsWith(DataPrefix, StringComparison.Ordinal) && key.EndsWith(DataSuffix, StringComparison.Ordinal);

    /// <summary>The object id a data key ends in.</summary>
    public static string ObjectIdOf(string key)
    {
        if (!IsDataKey(key))
        {
            throw new ArgumentException($"'{key}' is not a data object key.", nameof(key));
        }

        var name = key[(key.LastIndexOf('/') + 1)..];
        return name[..^DataSuffix.Length];
    }

    /// <summary>A key for something that is not a data object; such keys never end in .parquet.</summary>
    public static string MetaKey(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.EndsWith(DataSuffix, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Only data objects may end in .parquet.", nameof(name));
        }

        return MetaPrefix + name;
    }
}

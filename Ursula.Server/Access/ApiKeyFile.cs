// The static API key file (Auth:KeysFile), JSON:
//   { "keys": [ { "id": "ingest-a", "sha256": "<hex of SHA-256 of the key>", "grants": ["write:/tenant-a/**"],
//                 "expires": "2027-01-01T00:00:00Z" } ] }
// "key" (the key itself) may stand instead of "sha256"; keys are at least 16 characters. The file
// is read at start (a bad file stops the node) and again when it changes (a bad change is logged
// and the previous keys stay in force).
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ursula.Server.Access;

public sealed record ApiKey(string Id, Grant[] Grants, DateTimeOffset? Expires);

public static class ApiKeyFile
{
    public const int MinKeyLength = 16;

    /// <summary>Parses the file's text into keys by the hex SHA-256 of the key; throws InvalidDataException naming what is wrong.</summary>
    public static Dictionary<string, ApiKey> Parse(string json, string source)
    {
        KeyFileDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, KeyFileJsonContext.Default.KeyFileDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Auth:KeysFile {source} is not valid JSON: {e.Message}");
        }

        if (document?.Keys is not { } entries)
        {
            throw new InvalidDataException($"Auth:KeysFile {source} needs a \"keys\" array");
        }

        var keys = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            var where = $"Auth:KeysFile {source}, key {i + 1}";
            if (string.IsNullOrWhiteSpace(entry.Id) || !ids.Add(entry.Id))
            {
                throw new InvalidDataException($"{where}: \"id\" is missing or not unique");
            }

            string hash;
            if (!string.IsNullOrEmpty(entry.Sha256) && entry.Key is null)
            {
                hash = entry.Sha256.Trim().ToLowerInvariant();
                if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
                {
                    throw new InvalidDataException($"{where}: \"sha256\" must be 64 hex digits");
                }
            }
            else if (entry.Key is { Length: >= MinKeyLength } && string.IsNullOrEmpty(entry.Sha256))
            {
                hash = Hash(entry.Key);
            }
            else
            {
                throw new InvalidDataException($"{where}: give either \"sha256\" or \"key\" (at least {MinKeyLength} characters)");
            }

            var grants = new List<Grant>();
            foreach (var text in entry.Grants ?? [])
            {
                grants.Add(Grant.Parse(text, out var error) ?? throw new InvalidDataException($"{where}: {error}"));
            }

            if (!keys.TryAdd(hash, new ApiKey(entry.Id, [.. grants], entry.Expires)))
            {
                throw new InvalidDataException($"{where}: the same key is listed twice");
            }
        }

        return keys;
    }

    /// <summary>The lower-case hex SHA-256 of a key's UTF-8 bytes, as "sha256" holds it.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    internal sealed record KeyFileDocument(KeyFileEntry[]? Keys);

    internal sealed record KeyFileEntry(string? Id, string? Key, string? Sha256, string[]? Grants, DateTimeOffset? Expires);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ApiKeyFile.KeyFileDocument))]
internal sealed partial class KeyFileJsonContext : JsonSerializerContext;

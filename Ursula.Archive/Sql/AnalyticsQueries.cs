// The example queries of sql/analytics/, compiled in so the server's sql verb can offer them by
// name (and the tests run exactly those files).
using System.Reflection;

namespace Ursula.Archive.Sql;

public static class AnalyticsQueries
{
    private const string Prefix = "Ursula.Archive.Analytics.";

    /// <summary>The query names (file names without .sql), sorted.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. typeof(AnalyticsQueries).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^4])
            .Order(StringComparer.Ordinal)];

    public static string Load(string name)
    {
        using var stream = typeof(AnalyticsQueries).Assembly.GetManifestResourceStream(Prefix + name + ".sql")
            ?? throw new ArgumentException($"No analytics query named '{name}' (known: {string.Join(", ", Names)}).", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

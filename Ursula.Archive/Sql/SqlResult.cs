namespace Ursula.Archive.Sql;

/// <summary>
/// A query's result, materialized: column names, DuckDB type names, and rows of plain .NET values
/// (string, long, double, decimal, bool, DateTime, byte[] for blobs, null).
/// </summary>
public sealed record SqlResult(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<object?[]> Rows);

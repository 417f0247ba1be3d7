// SQL over the archive with DuckDB (in process, in memory). The `messages` view has the issue's
// columns over every live data object: objects superseded by a compacted one that is present,
// and streams with a tombstone, are left out, so the view shows what a reader of the server
// would see. A filesystem archive is read in place; any other store is mirrored to a local
// cache directory first (see ArchiveMirror). Only the built-in extensions are used (parquet,
// json, icu); DuckDB is told not to download any.
using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Ursula.Archive.Layout;
using Ursula.Archive.Reading;
using Ursula.Archive.Restore;
using Ursula.Archive.Storage;

namespace Ursula.Archive.Sql;

public sealed class ArchiveSql : IDisposable
{
    /// <summary>The view's columns, in order.</summary>
    public static readonly IReadOnlyList<string> MessageColumns =
        ["stream", "stream_id", "content_type", "start_offset", "end_offset", "start_pos", "end_pos", "appended_at", "producer_id", "producer_epoch", "producer_seq", "payload", "text"];

    private const string EmptyView =
        "SELECT NULL::VARCHAR AS stream, NULL::BIGINT AS stream_id, NULL::VARCHAR AS content_type, NULL::VARCHAR AS start_offset, " +
        "NULL::VARCHAR AS end_offset, NULL::BIGINT AS start_pos, NULL::BIGINT AS end_pos, NULL::TIMESTAMPTZ AS appended_at, " +
        "NULL::VARCHAR AS producer_id, NULL::BIGINT AS producer_epoch, NULL::BIGINT AS producer_seq, NULL::BLOB AS payload, NULL::VARCHAR AS text WHERE false";

    private readonly DuckDBConnection connection;

    private ArchiveSql(DuckDBConnection connection, IReadOnlyList<string> files)
    {
        this.connection = connection;
        Files = files;
    }

    /// <summary>The Parquet files the view reads.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Opens a filesystem archive in place.</summary>
    public static Task<ArchiveSql> OpenAsync(FileSystemObjectStore archive, CancellationToken cancellationToken) =>
        OpenLocalAsync(archive, cancellationToken);

    /// <summary>Opens any archive: a filesystem one in place, another through a local mirror in cacheDirectory.</summary>
    public static async Task<ArchiveSql> OpenAsync(IObjectStore archive, string? cacheDirectory, CancellationToken cancellationToken)
    {
        if (archive is FileSystemObjectStore local)
        {
            return await OpenLocalAsync(local, cancellationToken);
        }

        if (string.IsNullOrEmpty(cacheDirectory))
        {
            throw new ArgumentException("SQL over a remote archive needs a local cache directory.", nameof(cacheDirectory));
        }

        var mirror = new FileSystemObjectStore(cacheDirectory);
        await ArchiveMirror.SyncAsync(archive, mirror, cancellationToken);
        return await OpenLocalAsync(mirror, cancellationToken);
    }

    public async Task<SqlResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToList();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await Materialize(reader, i, cancellationToken);
            }

            rows.Add(row);
        }

        return new SqlResult(columns, types, rows);
    }

    public void Dispose() => connection.Dispose();

    private static async Task<ArchiveSql> OpenLocalAsync(FileSystemObjectStore archive, CancellationToken cancellationToken)
    {
        var reader = new ArchiveReader(archive, new ArchiveReadCache(new ArchiveCacheOptions { CapacityBytes = 0 }));
        var keys = new List<string>();
        var superseded = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in archive.ListAsync(ArchiveKeys.DataPrefix, cancellationToken))
        {
            if (ArchiveKeys.IsDataKey(item.Key))
            {
                keys.Add(item.Key);
                try
                {
                    superseded.UnionWith((await reader.ReadLayoutAsync(item.Key, item.Size, cancellationToken)).Description.Supersedes);
                }
                catch (FormatException)
                {
                    keys.Remove(item.Key);
                }
            }
        }

        var files = keys.Where(k => !superseded.Contains(k)).Select(archive.PathOf).ToList();
        var tombstones = await ArchiveTombstones.ReadAllAsync(archive, cancellationToken);
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, "SET autoinstall_known_extensions = false", cancellationToken);
            await ExecuteAsync(connection, "SET TimeZone = 'UTC'", cancellationToken);
            await ExecuteAsync(connection, "CREATE VIEW messages AS " + ViewBody(files, tombstones), cancellationToken);
            return new ArchiveSql(connection, files);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The view's SELECT over the given files (what `messages` is defined as).</summary>
    public static string ViewBody(IReadOnlyList<string> files, IReadOnlySet<long> tombstoned)
    {
        if (files.Count == 0)
        {
            return EmptyView;
        }

        var list = string.Join(", ", files.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
        var filter = tombstoned.Count == 0 ? "" : " WHERE stream_id NOT IN (" + string.Join(", ", tombstoned.Order().Select(id => id.ToString(CultureInfo.InvariantCulture))) + ")";
        return $"SELECT {string.Join(", ", MessageColumns)} FROM read_parquet([{list}]){filter}";
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> Materialize(DbDataReader reader, int ordinal, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken))
        {
            return null;
        }

        var value = reader.GetValue(ordinal);
        if (value is Stream blob)
        {
            using var copy = new MemoryStream();
            await blob.CopyToAsync(copy, cancellationToken);
            return copy.ToArray();
        }

        return value;
    }
}

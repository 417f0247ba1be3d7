using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Ursula.Bench.Metrics;

/// <summary>
/// Thread-safe named counters, e.g. responses by HTTP status ("204") and transport failures by
/// exception type ("HttpRequestException:ConnectionError:ConnectionRefused").
/// </summary>
public sealed class Tally
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Add(string key, long count = 1)
    {
        lock (_gate)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + count;
        }
    }

    public void AddStatus(int status) => Add(status.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void AddException(Exception exception) => Add(Classify(exception));

    public void Merge(Tally other)
    {
        foreach (var (key, count) in other.Snapshot())
        {
            Add(key, count);
        }
    }

    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _counts.Values.Sum();
            }
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        lock (_gate)
        {
            return [.. _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)];
        }
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (key, count) in Snapshot())
        {
            json[key] = count;
        }

        return json;
    }

    public override string ToString() =>
        _counts.Count == 0 ? "none" : string.Join(", ", Snapshot().Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>
    /// A stable key for a transport failure: exception type, HttpRequestError, and the innermost
    /// socket error or exception type (e.g. "HttpRequestException:Unknown:ConnectionReset").
    /// </summary>
    public static string Classify(Exception exception)
    {
        if (exception is TaskCanceledException { InnerException: TimeoutException })
        {
            return "Timeout";
        }

        var key = exception is HttpRequestException http
            ? $"{nameof(HttpRequestException)}:{http.HttpRequestError}"
            : exception.GetType().Name;
        Exception? innermost = null;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            innermost = inner;
            if (inner is SocketException)
            {
                break;
            }
        }

        return innermost switch
        {
            SocketException socket => $"{key}:{socket.SocketErrorCode}",
            null => key,
            _ => $"{key}:{innermost.GetType().Name}",
        };
    }
}

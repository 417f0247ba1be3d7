// One seeded run: each generated request goes to the reference server and to Ursula, and the two
// answers must agree in status, protocol headers and bodies. Offsets are compared by order, not by
// text: every offset the reference names is paired with the one Ursula names at the same point,
// and a pairing must stay one-to-one and keep the order of both.
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ursula.Tests.Differential;

public sealed class DifferentialRun(int seed, Uri reference, Uri ursula, HttpClient client)
{
    private readonly RequestGenerator generator = new(seed);
    private readonly List<string> transcript = [];

    public List<Difference> Differences { get; } = [];

    public async Task RunAsync(int requests, CancellationToken cancellationToken)
    {
        for (var i = 0; i < requests; i++)
        {
            var request = generator.Next();
            var model = generator.ModelOf(request.Path);
            var fromReference = await SendAsync(request, reference, model, isUrsula: false, cancellationToken);
            var fromUrsula = await SendAsync(request, ursula, model, isUrsula: true, cancellationToken);
            transcript.Add($"#{i} {request}\n    reference: {fromReference.Summary()}\n    ursula:    {fromUrsula.Summary()}");
            foreach (var difference in Compare(request, model, fromReference, fromUrsula))
            {
                Differences.Add(new Difference(seed, i, request, difference, fromReference, fromUrsula));
            }

            Update(request, model, fromReference, fromUrsula);
        }
    }

    /// <summary>The requests up to and including <paramref name="index"/>, with both answers: the run to replay.</summary>
    public string TranscriptUpTo(int index, int last = 15) => string.Join('\n', transcript.Take(index + 1).TakeLast(last));

    private async Task<ObservedResponse> SendAsync(ProtocolRequest request, Uri server, StreamModel model, bool isUrsula, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (request.Offset != OffsetChoice.Omitted)
        {
            query.Add($"offset={Render(request.Offset, request.KnownOffset, model, isUrsula)}");
        }

        if (request.Mode != ReadMode.CatchUp)
        {
            query.Add(request.Mode == ReadMode.Sse ? "live=sse" : "live=long-poll");
        }

        var uri = new Uri(server, request.Path + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
        using var message = new HttpRequestMessage(request.Method, uri);
        if (request.Body is not null || request.Method == HttpMethod.Post)
        {
            message.Content = new ByteArrayContent(request.Body ?? []);
            if (request.ContentType is not null && request.Body is not null)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
            }
        }
        else if (request.Method == HttpMethod.Put && request.ContentType is not null)
        {
            message.Content = new ByteArrayContent([]);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        foreach (var (name, offset) in request.OffsetHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, isUrsula ? offset.Ursula : offset.Reference);
        }

        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return await ObservedResponse.ReadAsync(response, request.Mode == ReadMode.Sse, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ObservedResponse.Failed(e);
        }
    }

    private static string Render(OffsetChoice choice, OffsetPair? known, StreamModel model, bool isUrsula) => choice switch
    {
        OffsetChoice.Start => "-1",
        OffsetChoice.Known => isUrsula ? known!.Ursula : known!.Reference,
        OffsetChoice.Now => "now",
        OffsetChoice.BeyondTail => Beyond(model.Tail is { } tail ? (isUrsula ? tail.Ursula : tail.Reference) : "0000000000000000_0000000000000000"),
        _ => "not-an-offset",
    };

    /// <summary>Both servers write offsets as READSEQ_POSITION in 16 digits each; a thousand positions on is past the tail.</summary>
    private static string Beyond(string tail)
    {
        var parts = tail.Split('_');
        return parts.Length == 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var position)
            ? $"{parts[0]}_{(position + 1000).ToString("D16", CultureInfo.InvariantCulture)}"
            : tail;
    }

    private static IEnumerable<string> Compare(ProtocolRequest request, StreamModel model, ObservedResponse r, ObservedResponse u)
    {
        if (r.Error is not null || u.Error is not null)
        {
            if (r.Error != u.Error)
            {
                yield return $"transport: reference {r.Error ?? "answered"}, ursula {u.Error ?? "answered"}";
            }

            yield break;
        }

        if (r.Status != u.Status)
        {
            yield return $"status {r.Status} vs {u.Status}";
            yield break;
        }

        foreach (var flag in new[] { "Stream-Up-To-Date", "Stream-Closed" })
        {
            if (r.Flag(flag) != u.Flag(flag))
            {
                yield return $"{flag}: {r.Header(flag) ?? "absent"} vs {u.Header(flag) ?? "absent"}";
            }
        }

        foreach (var header in new[] { "Producer-Epoch", "Producer-Seq", "Producer-Expected-Seq", "Producer-Received-Seq" })
        {
            if (r.Header(header) != u.Header(header))
            {
                yield return $"{header}: {r.Header(header) ?? "absent"} vs {u.Header(header) ?? "absent"}";
            }
        }

        var rNext = r.Header("Stream-Next-Offset");
        var uNext = u.Header("Stream-Next-Offset");
        if ((rNext is null) != (uNext is null) && r.Status < 300)
        {
            yield return $"Stream-Next-Offset: {rNext ?? "absent"} vs {uNext ?? "absent"}";
        }

        if (r.Status is 200 && request.Method == HttpMethod.Head)
        {
            if (ObservedResponse.MediaType(r.Header("Content-Type")) != ObservedResponse.MediaType(u.Header("Content-Type")))
            {
                yield return $"Content-Type: {r.Header("Content-Type")} vs {u.Header("Content-Type")}";
            }

            if (r.Header("Stream-TTL") != u.Header("Stream-TTL"))
            {
                yield return $"Stream-TTL: {r.Header("Stream-TTL") ?? "absent"} vs {u.Header("Stream-TTL") ?? "absent"}";
            }

            if (Instant(r.Header("Stream-Expires-At")) != Instant(u.Header("Stream-Expires-At")))
            {
                yield return $"Stream-Expires-At: {r.Header("Stream-Expires-At") ?? "absent"} vs {u.Header("Stream-Expires-At") ?? "absent"}";
            }
        }

        if (r.Status is 200 && request.IsRead)
        {
            var json = ObservedResponse.MediaType(r.Header("Content-Type")) == "application/json" || model.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true;
            var rBody = request.Mode == ReadMode.Sse ? SseData(r, json) : Content(r.Body, json);
            var uBody = request.Mode == ReadMode.Sse ? SseData(u, json) : Content(u.Body, json);
            if (rBody != uBody)
            {
                yield return $"body: {Shorten(rBody)} vs {Shorten(uBody)}";
            }

            if (request.Mode == ReadMode.Sse && LastControl(r) is { } rc && LastControl(u) is { } uc)
            {
                foreach (var field in new[] { "upToDate", "streamClosed" })
                {
                    if (Bool(rc, field) != Bool(uc, field))
                    {
                        yield return $"SSE control {field}: {Bool(rc, field)} vs {Bool(uc, field)}";
                    }
                }
            }
            else if (request.Mode == ReadMode.Sse && (LastControl(r) is null) != (LastControl(u) is null))
            {
                yield return "SSE: one server sent a control event, the other none";
            }
        }
    }

    private void Update(ProtocolRequest request, StreamModel model, ObservedResponse r, ObservedResponse u)
    {
        if (request.Method == HttpMethod.Put && r.Status == 201)
        {
            var source = request.Headers.FirstOrDefault(h => h.Name == "Stream-Forked-From").Value;
            model.Reset(source is null ? request.ContentType : generator.ModelOf(source).ContentType ?? request.ContentType);
            model.Closed = request.Headers.Any(h => h.Name == "Stream-Closed");
        }
        else if (request.Method == HttpMethod.Delete && r.Status is 200 or 204)
        {
            model.Reset(null);
            return;
        }

        if (request.Method == HttpMethod.Post && r.Status is >= 200 and < 300)
        {
            var id = request.Headers.FirstOrDefault(h => h.Name == "Producer-Id").Value;
            if (id is not null && long.TryParse(r.Header("Producer-Epoch") ?? request.Headers.First(h => h.Name == "Producer-Epoch").Value, CultureInfo.InvariantCulture, out var epoch)
                && long.TryParse(r.Header("Producer-Seq") ?? request.Headers.First(h => h.Name == "Producer-Seq").Value, CultureInfo.InvariantCulture, out var seq))
            {
                model.Producers[id] = (epoch, seq);
            }
        }

        if (r.Flag("Stream-Closed") && request.Method is { Method: "POST" or "HEAD" })
        {
            model.Closed = true;
        }

        if (r.Status < 300 && r.Header("Stream-Next-Offset") is { } rNext && u.Header("Stream-Next-Offset") is { } uNext && u.Status == r.Status)
        {
            if (Pair(model, rNext, uNext) is { } problem)
            {
                Differences.Add(new Difference(seed, transcript.Count - 1, request, problem, r, u));
            }
            else if (request.Method != HttpMethod.Get)
            {
                model.Tail = model.Offsets.First(o => o.Reference == rNext);
            }
        }
    }

    /// <summary>Pairs the two servers' spellings of one position; null when consistent with every pairing so far.</summary>
    private static string? Pair(StreamModel model, string reference, string ursula)
    {
        var byReference = model.Offsets.FirstOrDefault(o => o.Reference == reference);
        var byUrsula = model.Offsets.FirstOrDefault(o => o.Ursula == ursula);
        if (byReference is not null || byUrsula is not null)
        {
            return byReference == byUrsula ? null
                : $"offset order: the reference's {reference} was paired with Ursula's {byReference?.Ursula ?? "nothing"}, Ursula's {ursula} with the reference's {byUrsula?.Reference ?? "nothing"}";
        }

        var at = model.Offsets.FindIndex(o => string.CompareOrdinal(o.Reference, reference) > 0);
        at = at < 0 ? model.Offsets.Count : at;
        if ((at > 0 && string.CompareOrdinal(model.Offsets[at - 1].Ursula, ursula) >= 0)
            || (at < model.Offsets.Count && string.CompareOrdinal(model.Offsets[at].Ursula, ursula) <= 0))
        {
            return $"offset order: the reference puts {reference} between {(at > 0 ? model.Offsets[at - 1].Reference : "the start")} and {(at < model.Offsets.Count ? model.Offsets[at].Reference : "the end")}, Ursula's {ursula} is not between their partners";
        }

        model.Offsets.Insert(at, new OffsetPair(reference, ursula));
        return null;
    }

    private static string Content(byte[] body, bool json)
    {
        if (!json)
        {
            return Convert.ToHexString(body);
        }

        try
        {
            return JsonNode.Parse(body)?.ToJsonString() ?? "null";
        }
        catch (JsonException)
        {
            return "invalid JSON: " + Encoding.UTF8.GetString(body);
        }
    }

    /// <summary>
    /// The data events' payload, however the server cut it into events: JSON streams' events are
    /// arrays, concatenated; base64 events decoded and concatenated; text events concatenated.
    /// </summary>
    private static string SseData(ObservedResponse response, bool json)
    {
        var data = response.Events.Where(e => e.Type == "data").Select(e => e.Data).ToList();
        if (string.Equals(response.Header("Stream-SSE-Data-Encoding"), "base64", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return Convert.ToHexString(data.SelectMany(d => Convert.FromBase64String(d.Replace("\n", string.Empty, StringComparison.Ordinal))).ToArray());
            }
            catch (FormatException)
            {
                return "invalid base64: " + string.Join("|", data);
            }
        }

        if (!json)
        {
            return string.Concat(data);
        }

        var all = new JsonArray();
        foreach (var item in data)
        {
            try
            {
                if (JsonNode.Parse(item) is JsonArray array)
                {
                    foreach (var element in array.ToList())
                    {
                        array.Remove(element);
                        all.Add(element);
                    }
                }
                else
                {
                    all.Add(JsonValue.Create("not an array: " + item));
                }
            }
            catch (JsonException)
            {
                all.Add(JsonValue.Create("invalid JSON: " + item));
            }
        }

        return all.ToJsonString();
    }

    private static JsonNode? LastControl(ObservedResponse response)
    {
        var control = response.Events.LastOrDefault(e => e.Type == "control").Data;
        try
        {
            return control is null ? null : JsonNode.Parse(control);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A control field; streamClosed implies upToDate (section 5.8: upToDate MAY be omitted when streamClosed is true).</summary>
    private static bool Bool(JsonNode control, string field) =>
        control[field]?.GetValueKind() == JsonValueKind.True
        || (field == "upToDate" && control["streamClosed"]?.GetValueKind() == JsonValueKind.True);

    private static DateTimeOffset? Instant(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "..." : text;
}

/// <summary>One disagreement: the seed and request number replay it.</summary>
public sealed record Difference(int Seed, int Index, ProtocolRequest Request, string What, ObservedResponse Reference, ObservedResponse Ursula)
{
    public override string ToString() =>
        $"seed {Seed} request #{Index}: {Request}\n    {What}\n    reference: {Reference.Summary()}\n    ursula:    {Ursula.Summary()}";
}

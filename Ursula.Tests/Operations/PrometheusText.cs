// A small reader of the Prometheus text exposition format (what /_ursula/metrics answers), strict
// enough that a malformed line fails the test: NAME{LABEL="VALUE",...} NUMBER [TIMESTAMP].
using System.Globalization;
using System.Text;

namespace Ursula.Tests.Operations;

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

public static class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            samples.Add(ParseLine(line));
        }

        return samples;
    }

    public static double Sum(this IReadOnlyList<PrometheusSample> samples, string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        samples.Where(s => s.Name == name && (where is null || where(s.Labels))).Sum(s => s.Value);

    public static PrometheusSample Single(this IReadOnlyList<PrometheusSample> samples, string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        samples.Single(s => s.Name == name && (where is null || where(s.Labels)));

    private static PrometheusSample ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        var name = i > 0 ? line[..i] : throw new FormatException($"No metric name: {line}");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                if (line[eq + 1] != '"')
                {
                    throw new FormatException($"Unquoted label value: {line}");
                }

                var value = new StringBuilder();
                var j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] == 'n' ? '\n' : line[j]);
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                labels[label] = value.ToString();
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException($"Expected a value (and a timestamp): {line}");
        }

        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, number);
    }
}

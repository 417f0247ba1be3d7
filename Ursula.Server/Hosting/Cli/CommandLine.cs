// The command line: a verb (serve by default) and flags that map onto configuration keys, so that
// a flag, appsettings.json and a URSULA_* environment variable all set the same option.
using System.Globalization;

namespace Ursula.Server.Hosting.Cli;

public sealed record ParsedCommandLine(string Verb, IReadOnlyDictionary<string, string?> Settings, IReadOnlyList<string> Arguments, bool Help);

public static class CommandLine
{
    public static readonly string[] Verbs = ["serve", "migrate", "cluster", "members", "sql", "restore"];

    public static readonly CliOption[] Options =
    [
        new("--listen", "Listen", "HOST:PORT", "127.0.0.1:4437", "address the HTTP server listens on"),
        new("--data-dir", "DataDir", "PATH", "./data", "where the Raft log, the managed PostgreSQL and a generated cluster secret live"),
        new("--postgres", "Postgres", "CONNECTION_STRING", "(managed)", "use this PostgreSQL instead of a private one under --data-dir"),
        new("--long-poll-timeout", "Protocol:LongPollTimeout", "SECONDS", "30", "how long a long-poll waits for data before 204", Seconds),
        new("--max-append-bytes", "Protocol:MaxAppendBytes", "BYTES", "16777216", "largest body of one append or create (413 above)", Integer),
        new("--producer-idle-expiry", "Producers:IdleExpiry", "SECONDS", "604800 (7 days)", "producer state (Producer-Id epoch and sequence) idle this long is dropped; a returning producer is then new", LongSeconds),
        new("--hot-tail-bytes", "HotTailBytes", "BYTES", "67108864", "memory for recent records of all streams", Integer),
        new("--wal-chunk-bytes", "WalChunkBytes", "BYTES", "4194304", "size of one Raft WAL file; the WAL is truncated a file at a time", Integer),
        new("--wal-retain-bytes", "WalRetainBytes", "BYTES", "67108864", "log kept behind the newest entry so lagging followers catch up without a snapshot", Integer),
        new("--cluster", "Cluster", "URL,URL,...", "(single node)", "every member of a static cluster, this node included"),
        new("--advertise", "Advertise", "URL", "http(s)://LISTEN", "this node's URL as the other members reach it"),
        new("--source-address", "SourceAddress", "IP", "(any)", "local address this node's connections to the other members come from (hosts with several addresses)"),
        new("--cluster-secret", "ClusterSecret", "SECRET", "DATA_DIR/cluster-secret", "the secret the Raft, forwarding and admin endpoints require and nodes send each other; a lone node without it generates one into its data directory, several nodes must be given the same"),
        new("--join", "Join", "", "off", "start without a member list and wait to be added to a running cluster (members add)"),
        new("--keys-file", "Auth:KeysFile", "PATH", "(none)", "turn authentication on with the API keys of this JSON file (docs/security.md)"),
        new("--jwt-secret", "Auth:JwtSecret", "SECRET", "(none)", "turn authentication on with JWTs signed by this HMAC secret (32+ bytes; prefer URSULA_AUTH__JWTSECRET)"),
        new("--jwks-url", "Auth:JwksUrl", "URL", "(none)", "turn authentication on with JWTs signed by the keys of this JWK Set"),
        new("--jwt-audience", "Auth:JwtAudience", "AUDIENCE", "(none)", "the aud every JWT must carry (required with JWTs)"),
        new("--jwt-issuer", "Auth:JwtIssuer", "ISSUER", "(none)", "the iss every JWT must carry (required with JWTs)"),
        new("--insecure", "Auth:Insecure", "", "off", "serve without authentication even when listening beyond loopback"),
        new("--allowed-origins", "Auth:AllowedOrigins", "ORIGIN,...|*|none", "* without auth, none with", "browser origins of other sites that may use the streams, hub and listing (CORS)"),
        new("--allowed-hosts", "Auth:AllowedHosts", "HOST,...", "loopback names on loopback, else any", "Host headers the node answers (DNS rebinding protection)"),
        new("--max-streams", "Limits:MaxStreams", "N", "1000000", "streams the node holds; one more create is answered 507", Integer),
        new("--max-live-connections", "Limits:MaxLiveConnections", "N", "20000", "live readers (SSE, long-poll, hub) of the node; one more is answered 503", Integer),
        new("--max-live-connections-per-client", "Limits:MaxLiveConnectionsPerClient", "N", "256 with auth, unlimited without", "live readers of one token or IP address (429 above; 0 unlimited)", Integer),
        new("--requests-per-second", "Limits:RequestsPerSecond", "N", "1000 with auth, unlimited without", "requests per second of one token or IP address (429 with Retry-After above; 0 unlimited)", Integer),
        new("--request-burst", "Limits:RequestBurst", "N", "2 x the rate", "requests a client may make at once above its rate", Integer),
        new("--max-producer-id-bytes", "Limits:MaxProducerIdBytes", "BYTES", "256", "longest Producer-Id header (400 above)", Integer),
        new("--max-content-type-bytes", "Limits:MaxContentTypeBytes", "BYTES", "256", "longest Content-Type header (400 above)", Integer),
        new("--max-header-bytes", "Limits:MaxHeaderBytes", "BYTES", "32768", "all request headers together (431 above)", Integer),
        new("--path-characters", "Limits:PathCharacters", "Any|Visible|Ascii", "Visible", "characters stream paths may hold (400 otherwise)"),
        new("--archive-dir", "Archive:Dir", "PATH", "DATA_DIR/archive", "the filesystem archive (in a cluster a directory every node shares, or use --s3-bucket)"),
        new("--s3-bucket", "Archive:S3Bucket", "BUCKET", "(filesystem)", "archive to this S3 bucket; credentials from the standard AWS chain"),
        new("--s3-endpoint", "Archive:S3Endpoint", "URL", "(AWS)", "an S3-compatible endpoint (MinIO, R2, ...), path-style addressing"),
        new("--s3-region", "Archive:S3Region", "REGION", "us-east-1", "the bucket's region"),
        new("--s3-prefix", "Archive:S3Prefix", "PREFIX", "(none)", "a key prefix inside the bucket"),
        new("--hot-window-bytes", "Archive:HotWindowBytes", "BYTES", "4194304", "per stream, the newest payload bytes kept in PostgreSQL and memory; older ones are archived", Integer),
        new("--archive-interval", "Archive:Interval", "SECONDS", "30", "how often the leader archives and compacts", Seconds),
        new("--hot-ceiling-bytes", "Archive:HotCeilingBytes", "BYTES", "8589934592", "unarchived payload bytes of the node past which writes get 503 until the archive catches up", Integer),
        new("--archive-object-bytes", "Archive:ObjectTargetBytes", "BYTES", "67108864", "target size of one archive object (many streams share one)", Integer),
        new("--archive-max-delay", "Archive:MaxDelay", "SECONDS", "300", "the longest archivable data waits to fill a quarter of an object before it is archived anyway; 0 archives on every round", SecondsOrZero),
        new("--tls-cert", "Tls:CertFile", "PEM_FILE", "(plain HTTP)", "serve clients and members over TLS with this certificate (chain); members are then https:// URLs"),
        new("--tls-key", "Tls:KeyFile", "PEM_FILE", "(in --tls-cert)", "the private key of --tls-cert"),
        new("--tls-ca", "Tls:CaFile", "PEM_FILE", "(system trust)", "authorities trusted for the other members' certificates (node-to-node traffic and the members verb)"),
        new("--log-format", "Log:Format", "text|json", "text", "console log format: text lines, or one JSON object a line with the request id in its scopes"),
        new("--no-archive", "Archive:Enabled", "", "archiving on", "keep every record in PostgreSQL"),
        new("--allow-local-http-webhooks", "Subscriptions:AllowLocalHttpWebhooks", "", "off", "development only: accept webhook URLs http://localhost and http://127.0.0.x (else https to public addresses only)"),
        new("--webhook-timeout", "Subscriptions:WebhookTimeout", "SECONDS", "10", "how long one webhook request may take before the attempt counts as failed", Seconds),
        new("--format", "Format", "table|csv|json", "table", "sql verb: how the result is printed"),
        new("--nodes", "Nodes", "N", "3", "cluster verb: how many local nodes to start", Integer),
        new("--node", "Node", "URL", "http://127.0.0.1:4437", "members verb: any node of the cluster to ask"),
    ];

    /// <summary>The flag (and value) that sets a configuration key, the inverse of <see cref="Parse"/>.</summary>
    public static IEnumerable<string> ToFlag(string key, string value)
    {
        var option = Options.First(o => o.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
        if (option.Value.Length == 0)
        {
            // A switch: given only when it changes the default.
            return value == (option.Flag.StartsWith("--no-", StringComparison.Ordinal) ? "false" : "true") ? [option.Flag] : [];
        }

        return [option.Flag, option.Convert == Seconds || option.Convert == SecondsOrZero || option.Convert == LongSeconds
            ? TimeSpan.Parse(value, CultureInfo.InvariantCulture).TotalSeconds.ToString(CultureInfo.InvariantCulture)
            : value];
    }

    /// <summary>Parses args; throws <see cref="CommandLineException"/> with a one-line message on bad input.</summary>
    public static ParsedCommandLine Parse(IReadOnlyList<string> args)
    {
        var verb = "serve";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var help = false;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "help")
            {
                help = true;
                continue;
            }

            if (i == 0 && !arg.StartsWith('-'))
            {
                verb = Verbs.Contains(arg) ? arg : throw new CommandLineException($"unknown command '{arg}' (commands: {string.Join(", ", Verbs)})");
                continue;
            }

            if (!arg.StartsWith('-') || arg.Any(char.IsWhiteSpace))
            {
                // A flag never holds whitespace: "-- a comment\nSELECT ..." is the sql verb's query.
                positional.Add(arg);
                continue;
            }

            var (flag, inline) = arg.Split('=', 2) is [var f, var v] ? (f, v) : (arg, null);
            var option = Options.FirstOrDefault(o => o.Flag == flag)
                ?? throw new CommandLineException($"unknown option '{flag}' (see --help)");
            if (option.Value.Length == 0)
            {
                settings[option.Key] = inline ?? (option.Flag.StartsWith("--no-", StringComparison.Ordinal) ? "false" : "true");
                continue;
            }

            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new CommandLineException($"option '{flag}' needs a value: {option.Value}"));
            settings[option.Key] = option.Convert is null
                ? value
                : option.Convert(value) ?? throw new CommandLineException($"option '{flag}' needs {option.Value}, got '{value}'");
        }

        if (verb is not ("members" or "sql") && positional.Count > 0)
        {
            throw new CommandLineException($"unexpected argument '{positional[0]}' (see --help)");
        }

        return new ParsedCommandLine(verb, settings, positional, help);
    }

    public static string HelpText()
    {
        var lines = new List<string>
        {
            "Ursula: a durable stream server (Durable Streams protocol over HTTP, replicated by Raft, state in PostgreSQL).",
            string.Empty,
            "Usage: ursula [serve|migrate|cluster|members|sql|restore] [options]",
            "  serve     run a node (the default)",
            "  migrate   apply the PostgreSQL schema and exit",
            "  cluster   run a local development cluster (--nodes N, ports from --listen upward)",
            "  members   list | add URL | remove URL: change the members of a running cluster (--node URL; the secret from --data-dir or --cluster-secret)",
            "  sql       \"SELECT ...\": query the archive with DuckDB through the `messages` view (--format table|csv|json)",
            "  restore   rebuild an empty node's streams from the archive alone (disaster recovery; see docs/archive.md)",
            string.Empty,
            "Options (each also settable in appsettings.json or as URSULA_<KEY> in the environment):",
        };
        foreach (var option in Options)
        {
            lines.Add($"  {option.Flag} {option.Value}".TrimEnd().PadRight(42) + $"{option.Description} (default: {option.Default}; key: {option.Key})");
        }

        lines.Add("  --help".PadRight(42) + "show this text");
        return string.Join(Environment.NewLine, lines);
    }

    private static string? Seconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 3600
            ? TimeSpan.FromSeconds(s).ToString("c", CultureInfo.InvariantCulture)
            : null;

    // Durations of days rather than of waits: up to ten years.
    private static string? LongSeconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 1 && s <= 3650 * 86400.0
            ? TimeSpan.FromSeconds(s).ToString("c", CultureInfo.InvariantCulture)
            : null;

    // Only for options where zero means "no wait" rather than a mistake.
    private static string? SecondsOrZero(string text) =>
        text.Trim() == "0" ? TimeSpan.Zero.ToString("c", CultureInfo.InvariantCulture) : Seconds(text);

    private static string? Integer(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n.ToString(CultureInfo.InvariantCulture) : null;
}

public sealed class CommandLineException(string message) : Exception(message);

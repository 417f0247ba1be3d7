// How the node writes its log: "text" (the default console format) or "json" (one JSON object a
// line, with scopes such as the request id, for log shippers). --log-format sets Log:Format.
namespace Ursula.Server.Hosting.Observability;

public sealed class LogOptions
{
    public const string Section = "Log";

    public string Format { get; set; } = "text";

    public bool IsJson => Format.Equals("json", StringComparison.OrdinalIgnoreCase);

    public static LogOptions Bind(IConfiguration configuration)
    {
        var options = new LogOptions();
        configuration.GetSection(Section).Bind(options);
        if (!options.IsJson && !options.Format.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException($"--log-format (Log:Format) must be text or json, got '{options.Format}'");
        }

        return options;
    }

    /// <summary>
    /// Sets up the console logger of a builder (the node's, and the managed PostgreSQL's
    /// forwarder): in JSON mode the JSON console alone; in text mode the builder keeps its own
    /// console, or gets single-line text when <paramref name="singleLineText"/>.
    /// </summary>
    public void Configure(ILoggingBuilder logging, bool singleLineText = false)
    {
        if (IsJson)
        {
            logging.ClearProviders();
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else if (singleLineText)
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
        }
    }
}

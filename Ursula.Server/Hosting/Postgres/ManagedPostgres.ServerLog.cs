// Forwards the PostgreSQL server log (its stderr) into the node's logging, at matching levels.
using Microsoft.Extensions.Logging;

namespace Ursula.Server.Hosting.Postgres;

public sealed partial class ManagedPostgres
{
    private sealed class ServerLogForwarder(ILogger logger)
    {
        private LogLevel _level = LogLevel.Information;

        public void Forward(string line)
        {
            // DETAIL/HINT/CONTEXT/STATEMENT lines and continuations belong to the message before them.
            if (!line.Contains("DETAIL:", StringComparison.Ordinal) && !line.Contains("HINT:", StringComparison.Ordinal)
                && !line.Contains("CONTEXT:", StringComparison.Ordinal) && !line.Contains("STATEMENT:", StringComparison.Ordinal)
                && !line.StartsWith('\t'))
            {
                _level = Classify(line);
            }

            ManagedPostgresLog.ServerOutput(logger, _level, line);
        }

        private static LogLevel Classify(string line) =>
            line.Contains("PANIC:", StringComparison.Ordinal) ? LogLevel.Error
            // FATAL mostly ends single sessions (e.g. "terminating connection due to administrator command").
            : line.Contains("FATAL:", StringComparison.Ordinal) || line.Contains("ERROR:", StringComparison.Ordinal)
              || line.Contains("WARNING:", StringComparison.Ordinal) ? LogLevel.Warning
            : LogLevel.Information;
    }
}

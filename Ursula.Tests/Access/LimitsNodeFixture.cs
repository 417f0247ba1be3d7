// An authenticated node with small limits, so that each is reached by a test in a few requests.
using Ursula.Tests.Infrastructure;

namespace Ursula.Tests.Access;

public sealed class LimitsNodeFixture(PostgresFixture postgres) : AuthNodeFixture(postgres)
{
    public const int MaxStreams = 4;

    protected override string[] MoreArguments =>
    [
        "--max-streams", $"{MaxStreams}",
        "--max-live-connections", "3",
        "--max-live-connections-per-client", "2",
        "--requests-per-second", "20",
        "--request-burst", "20",
        "--max-producer-id-bytes", "16",
        "--max-content-type-bytes", "40",
        "--max-header-bytes", "4096",
        "--path-characters", "Ascii",
    ];
}

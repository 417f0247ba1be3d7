// One Raft log entry: the leader's timestamp and the commands that arrived together (group commit).
namespace Ursula.Server.State.Commands;

public sealed record CommandBatch(long TimestampMs, IReadOnlyList<Command> Commands);

using System.Text;
using Ursula.Server.State.Commands;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class CommandValidatorTests
{
    private static readonly CommandLimits Limits = new(MaxPathBytes: 1024, MaxBodyBytes: 1024);

    private static CommandBody Text(string text) => new(Encoding.UTF8.GetBytes(text), CommandBody.Raw);

    private static CommandBody Json(string payload, int count) => new(Encoding.UTF8.GetBytes(payload), count);

    public static TheoryData<string, StreamCommand> Hostile => new()
    {
        { "not json", new AppendStreamCommand("/j", "application/json", null, null, false, Json("[}}not json{{", 1)) },
        { "count 2^31", new AppendStreamCommand("/j", "application/json", null, null, false, Json("1", int.MinValue)) },
        { "count past payload", new AppendStreamCommand("/j", "application/json", null, null, false, Json("1,2", int.MaxValue)) },
        { "raw json", new AppendStreamCommand("/j", "application/json", null, null, false, Text("{\"a\":1}")) },
        { "empty array append", new AppendStreamCommand("/j", "application/json", null, null, false, Json(string.Empty, 0)) },
        { "json on text", new AppendStreamCommand("/t", "text/plain", null, null, false, Json("1", 1)) },
        { "malformed on text", new AppendStreamCommand("/t", "text/plain", null, null, false, CommandBody.Invalid("x")) },
        { "malformed in create", new CreateStreamCommand("/j", "application/json", null, null, false, CommandBody.Invalid("x"), null) },
        { "negative fork position", new CreateStreamCommand("/f", null, null, null, false, CommandBody.None, new ForkRequest("/src", -1, 0)) },
        { "negative sub-offset", new CreateStreamCommand("/f", null, null, null, false, CommandBody.None, new ForkRequest("/src", 0, -1)) },
        { "fork source with NUL", new CreateStreamCommand("/f", null, null, null, false, CommandBody.None, new ForkRequest("/s\0rc", 0, 0)) },
        { "NUL in path", new DeleteStreamCommand("/a\0b") },
        { "dot segment", new DeleteStreamCommand("/a/../b") },
        { "reserved", new DeleteStreamCommand("/_URSULA/admin") },
        { "subscription", new DeleteStreamCommand("/a/__ds/x") },
        { "negative TTL", new CreateStreamCommand("/c", "text/plain", -1, null, false, CommandBody.None, null) },
        { "bad expiry", new CreateStreamCommand("/c", "text/plain", null, "tomorrow", false, CommandBody.None, null) },
        { "TTL and expiry", new CreateStreamCommand("/c", "text/plain", 5, "2030-01-01T00:00:00Z", false, CommandBody.None, null) },
        { "bad content type", new CreateStreamCommand("/c", "text", null, null, false, CommandBody.None, null) },
        { "empty producer", new AppendStreamCommand("/t", "text/plain", null, new ProducerClaim("", 0, 0), false, Text("x")) },
        { "producer epoch 2^53", new AppendStreamCommand("/t", "text/plain", null, new ProducerClaim("p", 9_007_199_254_740_992, 0), false, Text("x")) },
        { "negative producer seq", new AppendStreamCommand("/t", "text/plain", null, new ProducerClaim("p", 0, -1), false, Text("x")) },
        { "control char in Stream-Seq", new AppendStreamCommand("/t", "text/plain", "a\nb", null, false, Text("x")) },
        { "empty append", new AppendStreamCommand("/t", "text/plain", null, null, false, CommandBody.None) },
        { "untyped append", new AppendStreamCommand("/t", null, null, null, false, Text("x")) },
        { "body too large", new AppendStreamCommand("/t", "text/plain", null, null, false, Text(new string('x', 1025))) },
        { "negative stream id", new TouchStreamCommand("/t", -1) },
        { "a leader-only kind", new ExpireStreamCommand("/t", 1) },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_commands_are_refused_with_a_reason(string name, StreamCommand command)
    {
        Assert.NotNull(name);
        Assert.NotNull(CommandValidator.Validate(command, Limits, jsonFlattenedHere: false));
    }

    public static TheoryData<StreamCommand> Acceptable => new()
    {
        new AppendStreamCommand("/j", "application/json; charset=utf-8", "0001", new ProducerClaim("p", 0, 9_007_199_254_740_991), false, Json("{\"a\":1},[2]", 2)),
        new AppendStreamCommand("/j", "application/json", null, null, false, CommandBody.Invalid("Invalid JSON")),
        new AppendStreamCommand("/t", null, null, null, true, CommandBody.None),
        new AppendStreamCommand("/t", "text/plain", null, null, true, Text("last")),
        new CreateStreamCommand("/j", "application/json", null, null, false, Json(string.Empty, 0), null),
        new CreateStreamCommand("/f", null, 10, null, true, Json("1", 1), new ForkRequest("/p/sp ace", null, 0)),
        new CreateStreamCommand("/c", "text/plain", null, "2030-01-01T00:00:00Z", false, Text("x"), null),
        new DeleteStreamCommand("/a/b c/ü"),
        new TouchStreamCommand("/a", 3),
    };

    [Theory]
    [MemberData(nameof(Acceptable))]
    public void Commands_a_request_could_produce_pass(StreamCommand command) =>
        Assert.Null(CommandValidator.Validate(command, Limits, jsonFlattenedHere: false));
}

// Runtime settings a node needs before any of its code runs. The shared array pool keeps 32 arrays
// of each size per core by default. SignalR rents a 4 KiB block from it for every hub message it
// writes and returns it only after the WebSocket transport has sent the message, so a fan-out to a
// thousand hub subscribers has about a thousand blocks out at once: past the 64 kept on two cores
// every rent allocated a new block, about 100 MB/s at 50 appends/s, and the garbage collector
// paused the node for a tenth to a sixth of its time (bench/results/hub-fanout.md). The pool reads its
// capacity once, from the environment, when it is first used; an operator's own value wins.
namespace Ursula.Server.Hosting;

public static class RuntimeTuning
{
    public const string ArraysPerCoreVariable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Arrays of each size kept per core: enough for a thousand subscribers' messages in flight on two cores.</summary>
    public const int ArraysPerCore = 1024;

    /// <summary>Sets what is not already set; call first thing in Main, before anything rents an array.</summary>
    public static void Apply()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ArraysPerCoreVariable)))
        {
            Environment.SetEnvironmentVariable(ArraysPerCoreVariable, ArraysPerCore.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace Ursula.Bench.Compare.Machine;

/// <summary>
/// Facts a reader needs to judge the figures (hardware, versions, load average, how the run was
/// done), gathered once before the sessions and once after, and written as machine.json for
/// 'report --machine'.
/// </summary>
public static class MachineFacts
{
    public static async Task<JsonObject> HardwareAndVersionsAsync(CompareSettings settings, string wrkVersion, CancellationToken ct)
    {
        var lscpu = await Shell.CaptureAsync("lscpu", [], ct) ?? "";
        var cpu = Field(lscpu, "Model name:") ?? "unknown CPU";
        // Older lscpu versions name the hypervisor; all show the CPU flag a guest sees.
        var hypervisor = Field(lscpu, "Hypervisor vendor:")
            ?? (Field(lscpu, "Flags:")?.Split(' ').Contains("hypervisor") == true ? "virtual machine" : null);
        var commit = (await Shell.CaptureAsync("git", ["-C", settings.Repo, "rev-parse", "--short", "HEAD"], ct))?.Trim() ?? "unknown";
        var dirty = await Shell.RunAsync("git", ["-C", settings.Repo, "diff", "--quiet", "HEAD", "--", "Ursula.Server", "Ursula.Migrations", "sql"], ct);
        var postgres = Prerequisites.PostgresBinary() is { } pg ? (await Shell.CaptureAsync(pg, ["--version"], ct))?.Trim() : null;
        var referencePackage = Path.Combine(settings.Repo, "bench", "reference", "node_modules", "@durable-streams", "server", "package.json");
        var referenceVersion = File.Exists(referencePackage)
            ? JsonNode.Parse(await File.ReadAllTextAsync(referencePackage, ct))?["version"]?.GetValue<string>()
            : null;
        return new JsonObject
        {
            ["date (UTC)"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            ["CPU"] = hypervisor is null ? cpu : $"{cpu} ({hypervisor}{(hypervisor == "virtual machine" ? "" : " guest")})",
            ["cores (nproc)"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["memory"] = MemTotal(),
            ["kernel"] = $"{Read("/proc/sys/kernel/ostype")} {Read("/proc/sys/kernel/osrelease")}",
            ["OS"] = OsName(),
            ["Ursula"] = $"commit {commit}{(dirty is { ExitCode: not 0 } ? " plus uncommitted server changes" : "")}, Release build, "
                + $".NET SDK {(await Shell.CaptureAsync("dotnet", ["--version"], ct))?.Trim()}, {postgres ?? "PostgreSQL ?"} (managed, one per node)",
            ["reference"] = $"@durable-streams/server {referenceVersion ?? "?"} on Node.js {(await Shell.CaptureAsync("node", ["--version"], ct))?.Trim()} (bench/reference/serve.mjs, compression off)",
            ["load generators"] = $"append throughput and p50/p99: {wrkVersion}, {settings.Threads} threads, {settings.Connections} connections, "
                + "bench/Ursula.Bench/Compare/Wrk/append.lua; append at half of peak (open loop), SSE fan-out, catch-up and the memory figure: "
                + "Ursula.Bench's own verbs (C#). Each result carries loadgenCpuPct, the generator's CPU over its measured window as a share of the "
                + "whole machine, and harnessCpuPct, the harness's own",
        };
    }

    public static string LoadAverage() => string.Join(' ', Read("/proc/loadavg").Split(' ').Take(3));

    private static string MemTotal()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (kb / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " GiB";
    }

    private static string OsName()
    {
        const string file = "/etc/os-release";
        var line = File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) : null;
        return line is null ? Environment.OSVersion.ToString() : line["PRETTY_NAME=".Length..].Trim('"');
    }

    private static string? Field(string text, string name) =>
        text.Split('\n').Select(l => l.TrimStart()).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

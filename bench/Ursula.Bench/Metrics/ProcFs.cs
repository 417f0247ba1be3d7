using System.Globalization;

namespace Ursula.Bench.Metrics;

/// <summary>Minimal Linux /proc readers: VmRSS, PSS and the process tree below a PID.</summary>
public static class ProcFs
{
    /// <summary>VmRSS of a process in kB, or null if it is gone or unreadable.</summary>
    public static long? ReadRssKb(int pid) => ReadKbField($"/proc/{pid}/status", "VmRSS:");

    /// <summary>
    /// Proportional set size in kB (shared pages divided among their users), from smaps_rollup.
    /// Summing PSS over a process tree does not count shared memory (e.g. PostgreSQL shared_buffers)
    /// once per process the way summing RSS does. Null if unavailable (permissions, old kernel).
    /// </summary>
    public static long? ReadPssKb(int pid) => ReadKbField($"/proc/{pid}/smaps_rollup", "Pss:");

    /// <summary>This process's soft open-files limit (ulimit -n), or null if /proc/self/limits is unreadable.</summary>
    public static long? ReadOpenFilesLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], CultureInfo.InvariantCulture, out var soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Maps every live PID to its parent PID by scanning /proc/[pid]/stat.</summary>
    public static Dictionary<int, int> ReadParentMap()
    {
        var map = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Format: pid (comm) state ppid ...; comm may contain spaces and parentheses.
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ', 3);
                if (fields.Length >= 2 && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var ppid))
                {
                    map[pid] = ppid;
                }
            }
            catch (IOException)
            {
                // The process exited while we were scanning.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return map;
    }

    /// <summary>The PID itself followed by all its descendants.</summary>
    public static List<int> SelfAndDescendants(int root, Dictionary<int, int> parentMap)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var (pid, ppid) in parentMap)
        {
            if (!children.TryGetValue(ppid, out var list))
            {
                list = [];
                children[ppid] = list;
            }

            list.Add(pid);
        }

        var result = new List<int> { root };
        for (var i = 0; i < result.Count; i++)
        {
            if (children.TryGetValue(result[i], out var kids))
            {
                result.AddRange(kids);
            }
        }

        return result;
    }

    private static long? ReadKbField(string path, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var value = line.AsSpan(field.Length).Trim();
                    var space = value.IndexOf(' ');
                    if (space > 0)
                    {
                        value = value[..space];
                    }

                    return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}

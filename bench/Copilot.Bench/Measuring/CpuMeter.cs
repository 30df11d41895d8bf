using System.Diagnostics;
using System.Globalization;

namespace Copilot.Bench.Measuring;

/// <summary>Reads CPU time from Linux' <c>/proc</c>: the service's process, and the PostgreSQL postmaster with every
/// backend it forked (finished backends are in the postmaster's children times).</summary>
internal sealed class CpuMeter(int servicePid, int postmasterPid)
{
    // USER_HZ: the unit of /proc/<pid>/stat times, 100 on every mainstream Linux.
    private const double TicksPerSecond = 100;

    /// <summary>CPU used so far.</summary>
    public CpuSample Sample()
    {
        var postgres = 0L;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var fields = ReadStat(pid);
            if (fields is null)
            {
                continue;
            }

            if (pid == postmasterPid)
            {
                postgres += fields.Value.Own + fields.Value.Children;
            }
            else if (fields.Value.Parent == postmasterPid)
            {
                postgres += fields.Value.Own;
            }
        }

        using var self = Process.GetCurrentProcess();
        return new CpuSample(Ticks(ReadStat(servicePid)?.Own ?? 0), Ticks(postgres), self.TotalProcessorTime, Ticks(MachineBusyTicks()));
    }

    /// <summary>Ticks all cores spent running processes (user, nice, system) from <c>/proc/stat</c>. Interrupt time is
    /// left out: it is charged to no process, and much of it is the bench's own loopback traffic.</summary>
    private static long MachineBusyTicks()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // user nice system idle iowait irq softirq steal ...
        return values[0] + values[1] + values[2];
    }

    /// <summary>CPU used so far by process <paramref name="pid"/> and its live children (Node's cluster workers).</summary>
    public static TimeSpan TreeTime(int pid)
    {
        return Ticks(Tree(pid).Sum(member => member.Own));
    }

    /// <summary>Resident memory of process <paramref name="pid"/> and its live children, in bytes.</summary>
    public static long TreeResidentBytes(int pid)
    {
        var bytes = 0L;
        foreach (var (member, _) in Tree(pid))
        {
            try
            {
                var line = File.ReadLines($"/proc/{member}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is not null)
                {
                    bytes += 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // It exited meanwhile.
            }
        }

        return bytes;
    }

    /// <summary>The process and its direct children, each with its own CPU ticks.</summary>
    private static List<(int Pid, long Own)> Tree(int pid)
    {
        var members = new List<(int, long)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate) &&
                ReadStat(candidate) is { } fields && (candidate == pid || fields.Parent == pid))
            {
                members.Add((candidate, fields.Own));
            }
        }

        return members;
    }

    private static TimeSpan Ticks(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);

    /// <summary>Parent pid, own user+system ticks and waited-for children's ticks from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    private static (int Parent, long Own, long Children)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may contain spaces: fields count from after the last ')'.
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int n) => long.Parse(rest[n - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }
}

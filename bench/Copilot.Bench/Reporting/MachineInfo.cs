using System.Globalization;
using System.Runtime.InteropServices;

namespace Copilot.Bench.Reporting;

/// <summary>Where the numbers were taken.</summary>
internal sealed record class MachineInfo(
    int Cores, string Cpu, string Os, string Runtime, long MemoryBytes, string? PostgresVersion, string? PostgresDurability, string LoadAverageBefore)
{
    /// <summary>Reads this machine's description; the PostgreSQL part is filled in later.</summary>
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        null,
        null,
        LoadAverage());

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString().ToLower(CultureInfo.InvariantCulture);
        }
    }
}

namespace Copilot.Bench.Measuring;

/// <summary>CPU time used so far by the service process, the PostgreSQL server (postmaster and its backends), the
/// bench itself, and the whole machine (every process, all cores).</summary>
internal sealed record class CpuSample(TimeSpan Service, TimeSpan Postgres, TimeSpan Bench, TimeSpan Machine)
{
    /// <summary>CPU the machine spent on anything but the service, PostgreSQL and the bench.</summary>
    public TimeSpan Others => Machine - Service - Postgres - Bench;

    public static CpuSample operator -(CpuSample after, CpuSample before)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(before);
        return new(
            after.Service - before.Service, after.Postgres - before.Postgres, after.Bench - before.Bench, after.Machine - before.Machine);
    }

    /// <summary>The same times per operation, in milliseconds.</summary>
    public CpuPerOperation PerOperation(int operations) => new(
        Service.TotalMilliseconds / operations, Postgres.TotalMilliseconds / operations, Bench.TotalMilliseconds / operations);
}

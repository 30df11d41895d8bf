namespace Copilot.Bench.Measuring;

/// <summary>CPU milliseconds spent per operation by the service, PostgreSQL and the bench (the load generator).</summary>
internal sealed record class CpuPerOperation(double Service, double Postgres, double Bench)
{
    /// <summary>All three together.</summary>
    public double Total => Service + Postgres + Bench;
}

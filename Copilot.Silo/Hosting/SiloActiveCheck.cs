using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Copilot.Silo.Hosting;

/// <summary>Healthy while this silo is Active in the cluster membership (not joining, shutting down, or declared dead).</summary>
internal sealed class SiloActiveCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"This silo is {status} in the cluster membership."));
    }
}

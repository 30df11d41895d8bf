using System.ComponentModel.DataAnnotations;

namespace Copilot.Silo.Hosting;

/// <summary>This silo's place in the cluster, bound from <c>Copilot:Cluster</c>.</summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Copilot:Cluster";

    /// <summary>The section whose values override <see cref="MembershipDefaults"/>, named as in Orleans'
    /// <c>ClusterMembershipOptions</c> (e.g. <c>Copilot__Cluster__Membership__ProbeTimeout=00:00:05</c>).</summary>
    public const string MembershipSectionName = "Copilot:Cluster:Membership";

    /// <summary>Silos with the same cluster id form one cluster. Default <c>copilot</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "copilot";

    /// <summary>Names the stored data (grain state, reminders): keep it across deployments. Default <c>copilot</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "copilot";

    /// <summary>Port for silo-to-silo traffic. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for external Orleans clients. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at: an IP address, a host name (resolved when the silo starts),
    /// or <c>auto</c> (this machine's own address, for a container). Default 127.0.0.1 (a single machine).</summary>
    public string? AdvertisedIP { get; set; }
}

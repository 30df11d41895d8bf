using Orleans.Configuration;

namespace Copilot.Silo.Hosting;

/// <summary>The service's failure-detection timings: a silo that dies without saying so (kill -9, a crashed host) is
/// declared dead within about 10 s and its sessions answer again on the survivors within about 15 s. Each
/// <see cref="ClusterMembershipOptions"/> value here can be overridden under <c>Copilot:Cluster:Membership</c>.</summary>
/// <remarks>
/// How Orleans 10.4 gets from a dead silo to its sessions running elsewhere, and what each number buys:
/// <list type="number">
/// <item>Each silo probes a few others. The probe period and the probe timeout are one value, learned from observed
/// round trips within [<see cref="MinProbeTimeout"/>, <see cref="MaxProbeTimeout"/>]: <see cref="ProbeTimeout"/> until
/// a few probes have been timed, then about 2 s on a healthy network, stretching to 3 s while the probing silo is
/// itself starved so that an overloaded prober does not accuse healthy peers.</item>
/// <item>After <see cref="NumMissedProbesLimit"/> misses in a row the prober votes the silo dead; with three or more
/// silos its last probe goes through another silo, whose failure to reach the target is a second vote, and
/// <see cref="NumVotesForDeathDeclaration"/> (Orleans' 2) is reached. Orleans requires only min(2, half the active
/// silos rounded up), so in a two-silo cluster one vote suffices, while in a larger one a single silo with a network
/// problem cannot evict a healthy peer alone. A killed process refuses connections at once, so this takes three probe
/// periods: 4-9 s. A vote is held back while a connection to the suspect has carried a message within the last
/// MaxProbeTimeout x NumMissedProbesLimit = 9 s, which bounds detection of a host that vanished without closing its
/// connections.</item>
/// <item>The grain directory then keeps the dead silo's grains under a lease (<see cref="RangeLeaseDuration"/>, counted
/// from declaration minus those 9 s) so that a silo evicted by mistake has time to read the table, see that it is dead
/// and stop, before its grains can be activated a second time. It reads the table every
/// <see cref="TableRefreshTimeout"/> (3 s; Orleans: 60 s), so the lease is 9 + 3 + 2 s of margin = 14 s (Orleans:
/// 30 s), and sessions answer again about 5 s after the declaration.</item>
/// <item><see cref="IAmAliveTablePublishTimeout"/> 5 s (Orleans: 30 s): a silo whose heartbeat is three periods
/// (15 s) old no longer counts towards the vote majority nor serves as a probe intermediary, so when two of three silos
/// die at once the survivor can evict both after about 15 s instead of 90 s.</item>
/// <item><see cref="DeathVoteExpirationTimeout"/> 30 s (Orleans: 2 min): a vote must last until the second one (one
/// probe period later), not much longer, so a one-off suspicion of a healthy silo is soon forgotten.</item>
/// </list>
/// A false declaration is expensive (the accused silo stops and its sessions move), which is why probes are not made
/// faster still: a silo must be unresponsive for three consecutive probes, at least 6 s, before it is accused. The
/// extra database load is one small UPDATE per silo every 5 s and one read of the membership rows every 3 s.
/// </remarks>
public static class MembershipDefaults
{
    /// <summary>The probe timeout and period until round trips have been timed.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The shortest probe timeout and period.</summary>
    public static readonly TimeSpan MinProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The longest probe timeout and period, reached while the probing silo is degraded.</summary>
    public static readonly TimeSpan MaxProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Consecutive missed probes before a vote.</summary>
    public const int NumMissedProbesLimit = 3;

    /// <summary>Votes needed to declare a silo dead (one in a cluster of one or two active silos).</summary>
    public const int NumVotesForDeathDeclaration = 2;

    /// <summary>How often each silo writes its heartbeat to the membership table.</summary>
    public static readonly TimeSpan IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often each silo reads the membership table, and so how soon a silo evicted by mistake stops.</summary>
    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long a death vote counts.</summary>
    public static readonly TimeSpan DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed, beyond one table refresh, for a silo evicted by mistake to stop.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(2);

    /// <summary>Applies the membership values above.</summary>
    public static void Apply(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProbeTimeout = ProbeTimeout;
        options.MinProbeTimeout = MinProbeTimeout;
        options.MaxProbeTimeout = MaxProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
    }

    /// <summary>How long the grain directory holds a dead silo's grains, from the membership timings in effect: the
    /// failure-detection window Orleans subtracts from the declaration time, plus one table refresh and a margin.</summary>
    public static TimeSpan RangeLeaseDuration(ClusterMembershipOptions membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        return membership.MaxProbeTimeout * membership.NumMissedProbesLimit + membership.TableRefreshTimeout + LeaseMargin;
    }
}

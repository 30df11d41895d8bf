namespace Copilot.Chaos.Faults;

/// <summary>One injected fault and how long the cluster took to serve fully again.</summary>
internal sealed record class Fault
{
    /// <summary>What was done.</summary>
    public required FaultKind Kind { get; init; }

    /// <summary>The silo hit, or null for PostgreSQL.</summary>
    public int? Silo { get; init; }

    /// <summary>When it began.</summary>
    public required DateTime InjectedAt { get; init; }

    /// <summary>When the fault was over: the silo restarted and healthy, PostgreSQL restarted or resumed.</summary>
    public DateTime EndedAt { get; init; }

    /// <summary>When every silo answered a turn in a session of another silo again; null if it never did.</summary>
    public DateTime? RecoveredAt { get; init; }

    /// <summary>Why the injection itself failed, if it did.</summary>
    public string? Error { get; init; }

    /// <summary>From the end of the fault to full service.</summary>
    public TimeSpan? Recovery => RecoveredAt - EndedAt;
}

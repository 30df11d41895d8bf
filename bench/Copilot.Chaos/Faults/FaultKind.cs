namespace Copilot.Chaos.Faults;

/// <summary>The faults the scheduler injects.</summary>
internal enum FaultKind
{
    /// <summary>SIGKILL of a silo, then its restart.</summary>
    KillSilo,

    /// <summary>SIGTERM of a silo (a graceful stop), then its restart.</summary>
    StopSilo,

    /// <summary><c>pg_ctl restart -m immediate</c>.</summary>
    RestartPostgres,

    /// <summary>SIGSTOP of the postmaster and its backends for a few seconds, then SIGCONT.</summary>
    StallPostgres,
}

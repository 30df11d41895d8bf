namespace Copilot.Api.Admin;

/// <summary>Finds every session idle past the timeout and expires it: the safety net behind the per-session reminders.</summary>
public interface ISessionSweeper
{
    /// <summary>Expires idle sessions; returns how many were expired.</summary>
    Task<int> SweepAsync(CancellationToken cancellationToken);
}

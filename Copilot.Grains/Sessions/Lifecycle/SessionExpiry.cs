namespace Copilot.Grains.Sessions.Lifecycle;

/// <summary>Idle-expiry arithmetic: when a session is due, and how its one reminder is scheduled.</summary>
internal static class SessionExpiry
{
    /// <summary>When a session last touched at <paramref name="updatedAt"/> becomes idle.</summary>
    public static DateTimeOffset Deadline(DateTimeOffset updatedAt, SessionsOptions options) => updatedAt + options.IdleTimeout;

    /// <summary>Whether the session is idle at <paramref name="now"/>.</summary>
    public static bool IsIdle(DateTimeOffset updatedAt, DateTimeOffset now, SessionsOptions options) =>
        now >= Deadline(updatedAt, options);

    /// <summary>The reminder's period: the idle timeout, but never below Orleans' minimum.</summary>
    public static TimeSpan ReminderPeriod(SessionsOptions options) =>
        options.IdleTimeout > options.ReminderMinimumPeriod ? options.IdleTimeout : options.ReminderMinimumPeriod;

    /// <summary>How long from <paramref name="now"/> until the deadline; zero once it has passed.</summary>
    public static TimeSpan DueIn(DateTimeOffset updatedAt, DateTimeOffset now, SessionsOptions options)
    {
        var dueIn = Deadline(updatedAt, options) - now;
        return dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero;
    }
}

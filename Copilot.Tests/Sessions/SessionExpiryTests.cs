using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Lifecycle;

namespace Copilot.Tests.Sessions;

public sealed class SessionExpiryTests
{
    private static readonly DateTimeOffset Touched = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_session_is_due_exactly_one_idle_timeout_after_its_last_touch()
    {
        var options = new SessionsOptions { IdleTimeout = TimeSpan.FromDays(30) };

        Assert.Equal(Touched.AddDays(30), SessionExpiry.Deadline(Touched, options));
        Assert.False(SessionExpiry.IsIdle(Touched, Touched.AddDays(30).AddTicks(-1), options));
        Assert.True(SessionExpiry.IsIdle(Touched, Touched.AddDays(30), options));
        Assert.Equal(TimeSpan.FromDays(10), SessionExpiry.DueIn(Touched, Touched.AddDays(20), options));
        Assert.Equal(TimeSpan.Zero, SessionExpiry.DueIn(Touched, Touched.AddDays(31), options));
    }

    [Fact]
    public void The_reminder_period_is_the_idle_timeout_but_never_below_the_minimum()
    {
        Assert.Equal(TimeSpan.FromDays(30), SessionExpiry.ReminderPeriod(new SessionsOptions { IdleTimeout = TimeSpan.FromDays(30) }));
        Assert.Equal(
            TimeSpan.FromMinutes(1),
            SessionExpiry.ReminderPeriod(new SessionsOptions { IdleTimeout = TimeSpan.FromSeconds(5), ReminderMinimumPeriod = TimeSpan.FromMinutes(1) }));
    }
}

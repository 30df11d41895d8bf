using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Expiry;

/// <summary>Sessions expire through their Orleans reminder, on a fake clock that the reminder service runs on too.</summary>
/// <remarks>The tests move one shared clock forward, so they run one after another in this class.</remarks>
public sealed class ReminderExpiryTests : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly string _serviceId = "expiry-" + Guid.NewGuid().ToString("N")[..8];
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await ExpiryApp.StartAsync(_clock, remindersOnFakeClock: true, _serviceId);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_session_touched_on_day_0_is_there_at_day_29_9_and_gone_after_day_30()
    {
        var (_, probe) = await NewSessionAsync(_app);

        _clock.Advance(29.9 * Day);
        await probe.AssertPresentAsync(messages: 2);

        _clock.Advance((0.1 * Day) + TimeSpan.FromMilliseconds(1));
        await Eventually.HoldsAsync(async () => !await probe.GrainHasItAsync(), "the reminder expired the session");
        await probe.AssertGoneAsync();
    }

    [Fact]
    public async Task A_session_touched_on_day_20_is_there_at_day_49_9_and_gone_after_day_50()
    {
        var (user, probe) = await NewSessionAsync(_app);

        _clock.Advance(20 * Day);
        Assert.Equal(probe.SessionId, (await user.SendAsync("still working on it", probe.SessionId)).SessionId);

        // Day 30: the reminder fires, sees the touch, and moves itself to day 50 (its tick may run after the next
        // advance: at day 49.9 the session is still idle for less than 30 days, so the outcome is the same).
        _clock.Advance(10 * Day);
        _clock.Advance(19.9 * Day);
        await probe.AssertPresentAsync(messages: 4);

        _clock.Advance((0.1 * Day) + TimeSpan.FromMilliseconds(1));
        await Eventually.HoldsAsync(async () => !await probe.GrainHasItAsync(), "the moved reminder expired the session");
        await probe.AssertGoneAsync();
    }

    [Fact]
    public async Task A_session_reactivated_after_a_full_restart_still_expires_on_time()
    {
        var (user, probe) = await NewSessionAsync(_app);
        _clock.Advance(10 * Day);

        await _app.DisposeAsync();
        _app = await ExpiryApp.StartAsync(_clock, remindersOnFakeClock: true, _serviceId);
        var restartedUser = new CopilotClient(_app.CreateClient(), user.UserId);
        var restarted = new SessionProbe(_app, restartedUser, probe.SessionId);

        _clock.Advance(19.9 * Day);
        await restarted.AssertPresentAsync(messages: 2);

        _clock.Advance((0.1 * Day) + TimeSpan.FromMilliseconds(1));
        await Eventually.HoldsAsync(async () => !await restarted.GrainHasItAsync(), "the reloaded reminder expired the session");
        await restarted.AssertGoneAsync();
    }

    [Fact]
    public async Task Sending_messages_does_not_write_the_reminder_table()
    {
        var (user, probe) = await NewSessionAsync(_app);
        var versionBefore = await ReminderVersionAsync(probe.SessionId);

        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(probe.SessionId, (await user.SendAsync($"message {i}", probe.SessionId)).SessionId);
        }

        Assert.Equal(versionBefore, await ReminderVersionAsync(probe.SessionId));
        await probe.AssertPresentAsync(messages: 12);
    }

    [Fact]
    public async Task Repeated_ticks_are_harmless_before_and_after_expiry()
    {
        var (_, busy) = await NewSessionAsync(_app);
        var (_, idle) = await NewSessionAsync(_app);
        var grains = _app.Services.GetRequiredService<IGrainFactory>();
        var tick = new TickStatus(_clock.GetUtcNow().UtcDateTime, 30 * Day, _clock.GetUtcNow().UtcDateTime);

        // Two ticks on a fresh session: nothing to do, twice.
        var busyReminder = grains.GetGrain<ISessionGrain>(busy.SessionId).AsReference<IRemindable>();
        await busyReminder.ReceiveReminder("expiry", tick);
        await busyReminder.ReceiveReminder("expiry", tick);
        await busy.AssertPresentAsync(messages: 2);

        // Ticks and a sweep after expiry find nothing to do and fail nothing.
        _clock.Advance(31 * Day);
        await Eventually.HoldsAsync(async () => !await idle.GrainHasItAsync(), "the reminder expired the idle session");
        var idleGrain = grains.GetGrain<ISessionGrain>(idle.SessionId);
        var idleReminder = idleGrain.AsReference<IRemindable>();
        await idleReminder.ReceiveReminder("expiry", tick);
        await idleReminder.ReceiveReminder("expiry", tick);
        Assert.False(await idleGrain.ExpireIfIdleAsync());
        await idle.AssertGoneAsync();
    }

    private static async Task<int> ReminderVersionAsync(Guid sessionId) => (await Sql.ColumnAsync<int>(
        "SELECT version FROM orleansreminderstable WHERE grainid LIKE '%' || replace(@id::text, '-', '') || '%'",
        sessionId)).Single();

    private async Task<(CopilotClient User, SessionProbe Probe)> NewSessionAsync(CopilotAppFactory app)
    {
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());
        var sessionId = (await user.SendAsync("inspect the north slope")).SessionId;
        return (user, new SessionProbe(app, user, sessionId));
    }
}

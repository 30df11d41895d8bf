namespace Copilot.Grains.Sessions.Lifecycle;

/// <summary>The one reminder a session registers: set at creation to the idle deadline, moved when the session was
/// touched since, removed when the session is gone.</summary>
internal sealed class ExpiryReminder(IGrainBase grain, SessionsOptions options, TimeProvider time)
{
    public const string Name = "expiry";

    /// <summary>How soon a deletion that storage interrupted is tried again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>Registers the reminder for a session created now.</summary>
    public Task<IGrainReminder> RegisterAsync() =>
        grain.RegisterOrUpdateReminder(Name, options.IdleTimeout, SessionExpiry.ReminderPeriod(options));

    /// <summary>Moves the reminder to the deadline of a session last touched at <paramref name="updatedAt"/>, instead of
    /// writing it on every message; returns that deadline.</summary>
    public async Task<DateTimeOffset> MoveAsync(DateTimeOffset updatedAt)
    {
        await grain.RegisterOrUpdateReminder(
            Name, SessionExpiry.DueIn(updatedAt, time.GetUtcNow(), options), SessionExpiry.ReminderPeriod(options));
        return SessionExpiry.Deadline(updatedAt, options);
    }

    /// <summary>Brings the next tick to <see cref="RetryDelay"/> from now, to finish an interrupted deletion.</summary>
    public async Task RetrySoonAsync() =>
        await grain.RegisterOrUpdateReminder(Name, RetryDelay, SessionExpiry.ReminderPeriod(options));

    /// <summary>Removes <paramref name="reminder"/>, which <see cref="RegisterAsync"/> returned.</summary>
    public Task UnregisterAsync(IGrainReminder reminder) => grain.UnregisterReminder(reminder);

    public async Task UnregisterAsync()
    {
        if (await grain.GetReminder(Name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}

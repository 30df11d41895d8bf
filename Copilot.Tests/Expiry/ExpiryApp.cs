using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.Apps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Expiry;

/// <summary>An app whose session time is a <see cref="FakeTimeProvider"/>; optionally Orleans' reminder service runs on
/// the same fake clock, so moving it 30 days fires the expiry reminders.</summary>
public static class ExpiryApp
{
    /// <summary>The secret the expiry apps accept for the sweep.</summary>
    public const string CronSecret = "cron-secret-for-tests-0123456789abcdef";

    /// <summary>Orleans' service key for the reminder service's clock.</summary>
    public const string ReminderClockKey = "Orleans.Reminders";

    /// <summary>Starts an app on <paramref name="clock"/>, with any services of the test's own.</summary>
    public static Task<CopilotAppFactory> StartAsync(
        FakeTimeProvider clock, bool remindersOnFakeClock, string? serviceId = null, Action<IServiceCollection>? configureServices = null) =>
        CopilotAppFactory.StartAsync(
            serviceId,
            new Dictionary<string, string?> { ["Copilot:Admin:CronSecret"] = CronSecret },
            services =>
            {
                configureServices?.Invoke(services);
                services.AddKeyedSingleton<TimeProvider>(SessionsOptions.ClockKey, clock);
                if (remindersOnFakeClock)
                {
                    services.AddKeyedSingleton<TimeProvider>(ReminderClockKey, clock);

                    // The periodic re-read of the reminder table would fire thousands of times per simulated month.
                    services.Configure<Orleans.Hosting.ReminderOptions>(o =>
                    {
                        o.RefreshReminderListPeriod = TimeSpan.FromDays(3650);
                        o.ReminderLoadingWindow = TimeSpan.FromDays(3650);
                    });
                }
            });
}

using Copilot.Tests.Fixtures.Apps;
using Microsoft.Extensions.Time.Testing;

namespace Copilot.Tests.Expiry;

/// <summary>One expiry app for the sweep tests: the session clock is fake, reminders run on real time.</summary>
public sealed class SweepAppFixture : IAsyncLifetime
{
    /// <summary>The sessions' clock.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public CopilotAppFactory App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ExpiryApp.StartAsync(Clock, remindersOnFakeClock: false);

    public async Task DisposeAsync() => await App.DisposeAsync();
}

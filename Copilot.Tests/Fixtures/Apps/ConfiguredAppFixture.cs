namespace Copilot.Tests.Fixtures.Apps;

/// <summary>One running app with extra settings, shared by the tests of a class; derive with the settings.</summary>
/// <param name="settings">Configuration over the test defaults.</param>
public abstract class ConfiguredAppFixture(IReadOnlyDictionary<string, string?> settings) : IAsyncLifetime
{
    public CopilotAppFactory App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await CopilotAppFactory.StartAsync(settings: settings);

    public async Task DisposeAsync() => await App.DisposeAsync();
}

namespace Copilot.Tests.Fixtures.Apps;

/// <summary>One running app shared by the HTTP tests; each test uses fresh user ids.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public CopilotAppFactory App { get; private set; } = null!;

    public CopilotClient NewUser() => new(App.CreateClient(), Guid.NewGuid());

    public async Task InitializeAsync() => App = await CopilotAppFactory.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The HTTP tests' collection: they share <see cref="AppFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}

using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Fixtures.Apps;

/// <summary>One running app for a test class whose chat model is a <see cref="GatedChatClient"/>: every reply waits
/// for the test to send its chunks. The tests of a class run one after another, so they take replies in order.</summary>
public sealed class GatedAppFixture : IAsyncLifetime
{
    /// <summary>The model every turn of the app asks.</summary>
    public GatedChatClient Model { get; } = new();

    public CopilotAppFactory App { get; private set; } = null!;

    public CopilotClient NewUser() => new(App.CreateClient(), Guid.NewGuid());

    /// <summary>Sends <paramref name="message"/> and answers it with <paramref name="reply"/> in one chunk.</summary>
    public async Task<CopilotClient.SendResult> TurnAsync(CopilotClient user, string message, string reply, Guid? sessionId = null)
    {
        var send = user.SendAsync(message, sessionId);
        var model = await Model.NextReplyAsync();
        model.Send(reply);
        model.Complete();
        return await send;
    }

    public async Task InitializeAsync() => App = await CopilotAppFactory.StartAsync(
        configureServices: services => services.AddSingleton<IChatClient>(Model));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

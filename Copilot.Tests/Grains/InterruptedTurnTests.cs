using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Grains;

public sealed class InterruptedTurnTests
{

    [Fact]
    public async Task A_silo_killed_mid_reply_leaves_the_reply_interrupted_and_the_session_usable()
    {
        var serviceId = "interrupt-" + Guid.NewGuid().ToString("N")[..8];
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());

        // The model sends one chunk and never ends the reply.
        var model = new GatedChatClient();
        await using (var doomed = await TestClusters.StartAsync(
            serviceId, configureServices: services => services.AddSingleton<IChatClient>(model)))
        {
            var grain = doomed.Client.GetGrain<ISessionGrain>(sessionId);
            var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "first", CreateIfMissing = true });
            (await model.NextReplyAsync()).Send("half a re");
            var progress = await Turns.ReadMoreAsync(grain, user, started.TurnId, 0);
            Assert.Equal(("half a re", false), (progress.Text, progress.Done));

            // No graceful deactivation: the process is gone with the reply half written.
            await doomed.KillSiloAsync(doomed.Silos[0]);
        }

        await using var survivor = await TestClusters.StartAsync(serviceId);
        var session = survivor.Client.GetGrain<ISessionGrain>(sessionId);

        var messages = await session.GetAllMessagesAsync(user);
        Assert.NotNull(messages);
        Assert.Equal([MessageRole.User, MessageRole.Assistant], messages.Select(m => m.Role));
        Assert.Equal("first", messages[0].Content);
        Assert.Equal(MessageStatus.Interrupted, messages[1].Status);
        Assert.Equal(ErrorCodes.Interrupted, messages[1].Metadata.ErrorCode);
        Assert.False((await session.GetInfoAsync(user))!.TurnInFlight);

        var reply = await Turns.SendAsync(session, user, "second");
        Assert.Equal(MessageStatus.Complete, reply.Status);
        Assert.Equal(
            ["first", "", "second", OfflineReplies.For("second", 1)],
            (await session.GetAllMessagesAsync(user))!.Select(m => m.Content));
        Assert.Equal(PersonaRole.Field, (await session.GetInfoAsync(user))!.Role);
    }
}

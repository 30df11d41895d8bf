using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;

namespace Copilot.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class TurnTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_retried_send_with_the_same_client_message_id_returns_the_first_turn_and_stores_nothing_new()
    {
        var (user, grain) = (Guid.NewGuid(), fixture.Client.GetGrain<ISessionGrain>(Guid.NewGuid()));
        var request = new TurnRequest { Content = "measure the ridge", ClientMessageId = "client-msg-1", CreateIfMissing = true };

        var first = await grain.StartTurnAsync(user, request);
        var firstReply = (await Turns.ReadToEndAsync(grain, user, first.TurnId))[^1];
        var retry = await grain.StartTurnAsync(user, request);
        var retryReply = await grain.ReadReplyAsync(user, retry.TurnId, 0, TimeSpan.Zero);

        Assert.True(first.Created);
        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.Equal(first.TurnId, retry.TurnId);
        Assert.Equal(first.UserMessage, retry.UserMessage);
        Assert.Equal(firstReply.Message, retryReply.Message);
        Assert.Equal("client-msg-1", first.UserMessage.Metadata.ClientMessageId);
        var messages = (await grain.GetAllMessagesAsync(user))!;
        Assert.Equal(["measure the ridge", OfflineReplies.For("measure the ridge", 0)], messages.Select(m => m.Content));
    }

    [Fact]
    public async Task A_turn_in_a_missing_session_is_refused_unless_creation_is_asked_for()
    {
        var (user, grain) = (Guid.NewGuid(), fixture.Client.GetGrain<ISessionGrain>(Guid.NewGuid()));

        await Assert.ThrowsAsync<SessionNotFoundException>(
            () => grain.StartTurnAsync(user, new TurnRequest { Content = "hello?" }));

        Assert.Null(await grain.GetInfoAsync(user));
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "hello", Role = PersonaRole.Exec, CreateIfMissing = true });
        Assert.Equal(PersonaRole.Exec, started.Session.Role);
        Assert.Equal(0, started.UserMessage.Seq);
    }
}

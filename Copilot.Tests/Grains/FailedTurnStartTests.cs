using Copilot.Grains.Files;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

/// <summary>A send whose turn fails to start after its question was stored (the question's image could not be read for
/// the model), on a one-silo cluster whose file store the test makes unreachable. The API answers such a send 503, and a
/// client that cannot tell whether the question was stored sends it again under the same id.</summary>
public sealed class FailedTurnStartTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;
    private FailingFileStore _files = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(
            "turn-start-" + Guid.NewGuid().ToString("N")[..8],
            configureSilo: silo => FailingFileStore.Install(silo.Services, store => _files = store));

        // The store is made when first asked for: made now, so a test can make it unreachable before its first call.
        ((InProcessSiloHandle)_cluster.Silos[0]).ServiceProvider.GetRequiredService<IFileStore>();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_send_retried_after_its_turn_failed_to_start_is_answered_and_its_question_stored_once()
    {
        var (user, grain) = (Guid.NewGuid(), _cluster.Client.GetGrain<ISessionGrain>(Guid.NewGuid()));
        var photo = new FileRef { Id = Guid.NewGuid(), MediaType = "image/png", Width = 640, Height = 480, Filename = "roof.png" };
        var request = new TurnRequest { Content = "what is on this roof?", ClientMessageId = "client-msg-1", CreateIfMissing = true, Files = [photo] };
        await grain.CreateAsync(user, PersonaRole.Field);
        _files.Unreachable = true;

        await Assert.ThrowsAsync<TimeoutException>(() => grain.StartTurnAsync(user, request));
        Assert.Equal(["what is on this roof?"], (await grain.GetAllMessagesAsync(user))!.Select(m => m.Content));

        _files.Unreachable = false;
        var retry = await grain.StartTurnAsync(user, request);
        var reply = (await Turns.ReadToEndAsync(grain, user, retry.TurnId))[^1];

        Assert.False(retry.Replayed);
        Assert.Equal(MessageStatus.Complete, reply.Status);
        var messages = (await grain.GetAllMessagesAsync(user))!;
        var question = Assert.Single(messages, m => m.Role == MessageRole.User);
        Assert.Equal("client-msg-1", question.Metadata.ClientMessageId);
        Assert.Equal(retry.UserMessage.Id, question.Id);
        Assert.Equal([MessageStatus.Interrupted, MessageStatus.Complete], messages.Where(m => m.Role == MessageRole.Assistant).Select(m => m.Status));
    }

    [Fact]
    public async Task A_new_session_whose_turn_failed_to_start_is_listed_with_its_question()
    {
        // Listed, so the conversation is in the sidebar and the seed panel's retry of a new chat's first message finds it.
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var photo = new FileRef { Id = Guid.NewGuid(), MediaType = "image/png", Width = 640, Height = 480, Filename = "roof.png" };
        _files.Unreachable = true;

        await Assert.ThrowsAsync<TimeoutException>(() => _cluster.Client.GetGrain<ISessionGrain>(sessionId).StartTurnAsync(
            user, new TurnRequest { Content = "is this hail damage?", CreateIfMissing = true, Files = [photo] }));
        _files.Unreachable = false;

        var listed = Assert.Single((await _cluster.Client.GetGrain<IUserSessionsGrain>(user).ListAsync(10)).Sessions);
        Assert.Equal((sessionId, "is this hail damage?", 1L), (listed.Id, listed.Title, listed.MessageCount));
    }

    [Fact]
    public async Task A_send_without_an_id_sent_again_after_its_turn_failed_to_start_is_answered_and_stored_once()
    {
        // The seed's panel sends no message ids: the same text again, after a send that stored its question and failed, is
        // that question asked again (TurnRequest.RetryUnanswered, as the seed surface sets it).
        var (user, grain) = (Guid.NewGuid(), _cluster.Client.GetGrain<ISessionGrain>(Guid.NewGuid()));
        var photo = new FileRef { Id = Guid.NewGuid(), MediaType = "image/png", Width = 640, Height = 480, Filename = "roof.png" };
        var request = new TurnRequest { Content = "and this one?", CreateIfMissing = true, Files = [photo], RetryUnanswered = true };
        await grain.CreateAsync(user, PersonaRole.Field);
        await Turns.SendAsync(grain, user, "first question");
        _files.Unreachable = true;

        await Assert.ThrowsAsync<TimeoutException>(() => grain.StartTurnAsync(user, request));
        _files.Unreachable = false;
        var retry = await grain.StartTurnAsync(user, request);
        var reply = (await Turns.ReadToEndAsync(grain, user, retry.TurnId))[^1];

        Assert.False(retry.Replayed);
        Assert.Equal(MessageStatus.Complete, reply.Status);
        Assert.Single((await grain.GetAllMessagesAsync(user))!, m => m.Content == "and this one?");
        Assert.Equal(
            ["first question", OfflineReplies.For("first question", 0), "and this one?", reply.Message!.Content],
            (await grain.GetActivePathAsync(user))!.Select(m => m.Content));
    }
}

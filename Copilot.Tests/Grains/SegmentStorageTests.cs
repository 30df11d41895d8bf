using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;

namespace Copilot.Tests.Grains;

/// <summary>What one write stores: a segment row of its own, written once, and no header rewrite per turn.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SegmentStorageTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Turns_and_appends_each_write_one_segment_and_leave_the_header_alone_until_a_seal()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);
        await CompleteTurnAsync(grain, user, "first question sets the title");
        var headerVersion = await HeaderVersionAsync(sessionId);

        for (var i = 0; i < 5; i++)
        {
            await CompleteTurnAsync(grain, user, $"question {i}");
        }

        await grain.AppendAsync(user, [new NewMessage(MessageRole.User, "a"), new NewMessage(MessageRole.Assistant, "b")]);

        Assert.Equal(headerVersion, await HeaderVersionAsync(sessionId));
        Assert.Equal(2 + 10 + 1, await Sql.SegmentRowCountAsync(sessionId));
        var info = (await grain.GetInfoAsync(user))!;
        Assert.Equal((14L, "first question sets the title"), (info.MessageCount, info.Title));
    }

    [Fact]
    public async Task A_seal_folds_the_segments_into_a_page_and_deletes_them()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);

        // The test cluster seals at 50 messages: 51 single-message appends make one page and one live segment.
        for (var i = 0; i < 51; i++)
        {
            await grain.AppendAsync(user, [new NewMessage(MessageRole.User, $"m{i}")]);
        }

        Assert.Equal(1, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Equal(2, await Sql.SessionRowCountAsync(sessionId));
        Assert.Equal(Enumerable.Range(0, 51).Select(i => $"m{i}"), (await grain.GetAllMessagesAsync(user))!.Select(m => m.Content));
    }

    [Fact]
    public async Task A_retried_send_finds_its_reply_however_far_back_it_is()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);
        var first = await grain.StartTurnAsync(user, new TurnRequest { Content = "remember me", ClientMessageId = "c-1" });
        var reply = (await Turns.ReadToEndAsync(grain, user, first.TurnId))[^1].Message!;

        // 60 more turns (120 messages, across sealed pages) push the reply far past the newest few.
        for (var i = 0; i < 60; i++)
        {
            await CompleteTurnAsync(grain, user, $"later {i}");
        }

        var retried = await grain.StartTurnAsync(user, new TurnRequest { Content = "remember me", ClientMessageId = "c-1" });
        Assert.Equal((true, first.TurnId, first.UserMessage.Id), (retried.Replayed, retried.TurnId, retried.UserMessage.Id));
        var progress = await grain.ReadReplyAsync(user, retried.TurnId, 0, TimeSpan.Zero);
        Assert.Equal((true, reply.Content, reply.Seq), (progress.Done, progress.Text, progress.Message!.Seq));
        Assert.Equal(122, (await grain.GetInfoAsync(user))!.MessageCount);
    }

    private static async Task CompleteTurnAsync(ISessionGrain grain, Guid user, string content)
    {
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = content });
        await Turns.ReadToEndAsync(grain, user, started.TurnId);
    }

    private static async Task<int> HeaderVersionAsync(Guid sessionId) => (await Sql.ColumnAsync<int>(
        """
        SELECT version FROM orleansstorage
        WHERE graintypestring = 'copilotsession' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'id' = @id::text
        """,
        sessionId)).Single();
}

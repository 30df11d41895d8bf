using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

/// <summary>Rename and delete, with the model held mid-reply by a <see cref="GatedChatClient"/>.</summary>
public sealed class RenameDeleteTests : IAsyncLifetime
{
    private readonly GatedChatClient _model = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestClusters.StartAsync(
        "rename-" + Guid.NewGuid().ToString("N")[..8],
        configureServices: services => services.AddSingleton<IChatClient>(_model));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_rename_shows_in_the_header_and_the_user_list()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = _cluster.Client.GetGrain<ISessionGrain>(sessionId);
        await grain.CreateAsync(user, PersonaRole.Field);

        var renamed = await grain.RenameAsync(user, "  Roof   inspection\nat Elm St  ");

        Assert.Equal("Roof inspection at Elm St", renamed.Title);
        Assert.Equal("Roof inspection at Elm St", (await grain.GetInfoAsync(user))!.Title);
        var listed = await _cluster.Client.GetGrain<IUserSessionsGrain>(user).ListAsync(10);
        Assert.Equal("Roof inspection at Elm St", Assert.Single(listed.Sessions).Title);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => grain.RenameAsync(Guid.NewGuid(), "not yours"));
    }

    [Fact]
    public async Task Deleting_mid_reply_stops_the_reply_and_removes_the_session_everywhere()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = _cluster.Client.GetGrain<ISessionGrain>(sessionId);
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "hello", CreateIfMissing = true });
        var reply = await _model.NextReplyAsync();
        reply.Send("partial ");
        Assert.Equal(started.TurnId, (await grain.GetInfoAsync(user))!.InFlightTurnId);

        Assert.False(await grain.DeleteAsync(Guid.NewGuid()));
        Assert.True(await grain.DeleteAsync(user));

        Assert.True(reply.Cancelled.IsCompleted);
        Assert.Null(await grain.GetInfoAsync(user));
        Assert.Empty((await _cluster.Client.GetGrain<IUserSessionsGrain>(user).ListAsync(10)).Sessions);
        Assert.False(await grain.DeleteAsync(user));
        Assert.Equal(0, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Equal(0, await Sql.SessionRowCountAsync(sessionId));
    }

    [Fact]
    public async Task A_rename_mid_reply_is_stored_and_so_is_the_reply()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = _cluster.Client.GetGrain<ISessionGrain>(sessionId);
        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = "hello", CreateIfMissing = true });
        var reply = await _model.NextReplyAsync();
        reply.Send("partial ");

        var renamed = await grain.RenameAsync(user, "Renamed mid-reply");
        reply.Send("and the rest");
        reply.Complete();
        var done = (await Turns.ReadToEndAsync(grain, user, started.TurnId))[^1];

        Assert.Equal((true, started.TurnId), (renamed.TurnInFlight, renamed.InFlightTurnId));
        Assert.Equal((MessageStatus.Complete, "partial and the rest"), (done.Status, done.Message!.Content));
        Assert.Equal(["hello", "partial and the rest"], (await grain.GetAllMessagesAsync(user))!.Select(m => m.Content));
        Assert.Equal(
            ["Renamed mid-reply"],
            await Sql.ColumnAsync<string>(
                """
                SELECT convert_from(payloadbinary, 'UTF8')::jsonb ->> 'title' FROM orleansstorage
                WHERE graintypestring = 'copilotsession' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'id' = @id::text
                """,
                sessionId));
        Assert.Equal("Renamed mid-reply", Assert.Single((await _cluster.Client.GetGrain<IUserSessionsGrain>(user).ListAsync(10)).Sessions).Title);
    }
}

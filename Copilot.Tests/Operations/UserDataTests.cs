using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Operations;

/// <summary>Data rights: export and delete everything of one user, with the admin secret, as a Supabase webhook would.</summary>
public sealed class UserDataTests : IAsyncLifetime
{
    private const string Secret = "admin-secret-for-user-data-tests";
    private readonly GatedChatClient _model = new();
    private CopilotAppFactory _app = null!;
    private IGrainFactory _grains = null!;

    public async Task InitializeAsync()
    {
        _app = await CopilotAppFactory.StartAsync(
            settings: new Dictionary<string, string?>(TestClusters.DefaultSettings) { ["Copilot:Admin:CronSecret"] = Secret },
            configureServices: services => services.AddSingleton<IChatClient>(_model));
        _grains = _app.Services.GetRequiredService<IGrainFactory>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Deleting_a_user_removes_every_session_with_sealed_pages_and_a_reply_in_flight_and_leaves_no_rows()
    {
        var user = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var other = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var paged = await CreatePagedSessionAsync(user.UserId, messages: 120);
        var kept = await CreatePagedSessionAsync(other.UserId, messages: 2);
        var inFlight = user.SendAsync("a reply that will be cut short");
        var reply = await _model.NextReplyAsync();
        reply.Send("partial ");
        // A new session is listed before its send is answered, which may be just after the model is asked.
        var list = _grains.GetGrain<Copilot.Grains.Users.IUserSessionsGrain>(user.UserId);
        await Eventually.HoldsAsync(async () => (await list.ListAsync(10)).Sessions.Count == 2, "the new session is listed");
        var streaming = (await list.ListAsync(10)).Sessions.Single(s => s.Id != paged).Id;
        Assert.True((await Sql.SessionRowSizesAsync(paged)).Count > 1, "the long session has sealed pages");
        Assert.Equal(new[] { paged, streaming }.Order(), (await Sql.UserSessionRowsAsync(user.UserId)).Keys.Order());

        var first = await AdminAsync(HttpMethod.Delete, $"/api/admin/users/{user.UserId}");
        var second = await AdminAsync(HttpMethod.Delete, $"/api/admin/users/{user.UserId}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(2, first.Body.GetProperty("deleted").GetInt32());
        Assert.Equal(0, second.Body.GetProperty("deleted").GetInt32());
        Assert.True(reply.Cancelled.IsCompleted, "the reply in flight was stopped");
        await inFlight;
        foreach (var session in new[] { paged, streaming })
        {
            Assert.Equal(0, await Sql.SessionRowCountAsync(session));
            Assert.Equal(0, await ReminderRowsAsync(session));
        }

        Assert.Equal(0, await UserRowsAsync(user.UserId));
        Assert.Empty(await user.ListSessionsAsync());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/api/copilot?sessionId={kept}")).Status);
    }

    [Fact]
    public async Task The_export_streams_every_session_and_message_as_ndjson()
    {
        var userId = Guid.NewGuid();
        var paged = await CreatePagedSessionAsync(userId, messages: 120);
        var small = await CreatePagedSessionAsync(userId, messages: 3);
        var smallGrain = _grains.GetGrain<ISessionGrain>(small);
        var question = (await smallGrain.GetAllMessagesAsync(userId))![1];
        var regenerated = await smallGrain.StartTurnAsync(
            userId, new TurnRequest { Content = question.Content, ClientMessageId = question.Id.ToString(), Regenerate = true });
        var reply = await _model.NextReplyAsync();
        reply.Send("a second answer");
        reply.Complete();
        await Turns.ReadToEndAsync(smallGrain, userId, regenerated.TurnId);
        var share = await smallGrain.CreateShareAsync(userId, TimeSpan.FromDays(7));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/users/{userId}/export");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        using var response = await _app.CreateClient().SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var sessions = lines.Where(l => l.GetProperty("type").GetString() == "session").ToList();
        Assert.Equal([small, paged], sessions.Select(s => s.GetProperty("id").GetGuid()));
        var messages = lines.Where(l => l.GetProperty("type").GetString() == "message").ToList();
        Assert.Equal(
            Enumerable.Range(0, 120).Select(i => $"message {i}"),
            messages.Where(m => m.GetProperty("session_id").GetGuid() == paged).Select(m => m.GetProperty("content").GetString()));

        // Every branch, each message with its parent: message 2 and the new reply are both children of message 1.
        var smallMessages = messages.Where(m => m.GetProperty("session_id").GetGuid() == small).ToList();
        Assert.Equal(4, smallMessages.Count);
        Assert.Equal(JsonValueKind.Null, smallMessages[0].GetProperty("parent_id").ValueKind);
        Assert.Equal(
            [question.Id, question.Id],
            smallMessages.Where(m => m.GetProperty("seq").GetInt64() >= 2).Select(m => m.GetProperty("parent_id").GetGuid()));
        Assert.Equal(regenerated.TurnId, smallMessages[3].GetProperty("id").GetGuid());
        Assert.Equal("a second answer", smallMessages[3].GetProperty("content").GetString());

        // The public link is part of what the user stored; the last line counts every line before it, so a cut export
        // (an answer already begun cannot change its status) is told from a whole one.
        var shareLine = Assert.Single(lines, l => l.GetProperty("type").GetString() == "share");
        Assert.Equal(small, shareLine.GetProperty("session_id").GetGuid());
        Assert.Equal(share.Info.Id, shareLine.GetProperty("id").GetString());
        Assert.Equal(share.Info.CreatedAt.ToUnixTimeMilliseconds(), shareLine.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        var end = lines[^1];
        Assert.Equal("end", end.GetProperty("type").GetString());
        Assert.Equal(2, end.GetProperty("sessions").GetInt32());
        Assert.Equal(124, end.GetProperty("messages").GetInt32());
        Assert.Equal(1, end.GetProperty("shares").GetInt32());
        Assert.Equal(lines.Count - 1, end.GetProperty("sessions").GetInt32() + end.GetProperty("messages").GetInt32()
            + end.GetProperty("feedback").GetInt32() + end.GetProperty("shares").GetInt32() + end.GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task A_user_delete_whose_caller_hangs_up_still_deletes_everything()
    {
        // A webhook with a short timeout: the caller leaves once the deletion has begun, and the rest is still deleted.
        var userId = Guid.NewGuid();
        var sessions = new List<Guid>();
        for (var i = 0; i < 100; i++)
        {
            sessions.Add(await CreatePagedSessionAsync(userId, messages: 2));
        }

        var share = await _grains.GetGrain<ISessionGrain>(sessions[^1]).CreateShareAsync(userId, TimeSpan.FromDays(7));
        var index = _grains.GetGrain<Copilot.Grains.Users.IUserSessionsGrain>(userId);
        using var hangUp = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/admin/users/{userId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        var call = _app.CreateClient().SendAsync(request, hangUp.Token);
        await Eventually.HoldsAsync(async () => await index.CountAsync() < sessions.Count, "the deletion began");
        await hangUp.CancelAsync();
        Assert.True(await index.CountAsync() > 0, "the caller left before the deletion ended");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await Eventually.HoldsAsync(async () => await index.CountAsync() == 0, "every session was deleted");
        foreach (var session in sessions)
        {
            await Eventually.HoldsAsync(async () => await Sql.SessionRowCountAsync(session) == 0, $"session {session} has no rows");
        }

        using var shared = await _app.CreateClient().GetAsync($"/v1/shares/{share.Token}");
        Assert.Equal(HttpStatusCode.NotFound, shared.StatusCode);
    }

    [Fact]
    public async Task The_supabase_webhook_deletes_the_user_named_in_old_record_and_the_secret_is_required()
    {
        var userId = Guid.NewGuid();
        var session = await CreatePagedSessionAsync(userId, messages: 2);
        var payload = new { type = "DELETE", table = "users", schema = "auth", record = (object?)null, old_record = new { id = userId, email = "gone@example.com" } };

        var anonymous = await _app.CreateClient().PostAsJsonAsync("/api/admin/users/deleted", payload);
        var wrongSecret = await AdminAsync(HttpMethod.Delete, $"/api/admin/users/{userId}", secret: "not-the-secret");
        var notDelete = await AdminAsync(HttpMethod.Post, "/api/admin/users/deleted", new { type = "UPDATE", old_record = new { id = userId } });
        Assert.Equal(1, await Sql.SessionRowCountAsync(session));
        var hook = await AdminAsync(HttpMethod.Post, "/api/admin/users/deleted", payload);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.Equal(HttpStatusCode.BadRequest, notDelete.Status);
        Assert.Equal(HttpStatusCode.OK, hook.Status);
        Assert.Equal(1, hook.Body.GetProperty("deleted").GetInt32());
        Assert.Equal(0, await Sql.SessionRowCountAsync(session));
    }

    private async Task<Guid> CreatePagedSessionAsync(Guid userId, int messages)
    {
        var grain = _grains.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(userId, PersonaRole.Field);
        // Ten messages a write, as turns would come: the tail is sealed into pages as it fills.
        foreach (var batch in Enumerable.Range(0, messages).Chunk(10))
        {
            await grain.AppendAsync(userId, [.. batch.Select(i => new NewMessage(MessageRole.User, $"message {i}"))]);
        }

        return grain.GetPrimaryKey();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> AdminAsync(
        HttpMethod method, string path, object? body = null, string secret = Secret)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _app.CreateClient().SendAsync(request);
        return (response.StatusCode, await CopilotClient.ReadJsonAsync(response));
    }

    private static async Task<long> ReminderRowsAsync(Guid sessionId) => Assert.Single(await Sql.ColumnAsync<long>(
        """
        SELECT count(*) FROM orleansreminderstable
        WHERE grainid LIKE '%' || replace(@id::text, '-', '') || '%' OR grainid LIKE '%' || @id::text || '%'
        """,
        sessionId));

    /// <summary>Rows of the user: their session list's (one per session) and any Orleans state keyed by them.</summary>
    private static async Task<long> UserRowsAsync(Guid userId)
    {
        var (n0, n1) = Sql.GuidHalves(userId);
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM orleansstorage WHERE grainidn0 = @n0 AND grainidn1 = @n1)
                 + (SELECT count(*) FROM copilot_user_sessions WHERE user_id = @user)
            """);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("n0", n0);
        command.Parameters.AddWithValue("n1", n1);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

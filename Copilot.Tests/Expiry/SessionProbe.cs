using System.Net;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Expiry;

/// <summary>Looks at one session through every surface: the grain, HTTP, and the SQL rows and views.</summary>
public sealed class SessionProbe(CopilotAppFactory app, CopilotClient user, Guid sessionId)
{
    public Guid SessionId { get; } = sessionId;

    /// <summary>True when the grain still knows the session.</summary>
    public async Task<bool> GrainHasItAsync() =>
        await app.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(SessionId).GetInfoAsync(user.UserId) is not null;

    /// <summary>Asserts the session is live on every surface, with <paramref name="messages"/> messages.</summary>
    public async Task AssertPresentAsync(int messages)
    {
        Assert.True(await GrainHasItAsync(), "the grain lost the session");
        Assert.Equal(messages, (await user.LoadMessagesAsync(SessionId)).Length);
        Assert.Contains(SessionId, (await user.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal(1, await Sql.SessionRowCountAsync(SessionId));
        Assert.Equal(1, await ReminderRowsAsync());
        Assert.Equal([1L], await Sql.ColumnAsync<long>("SELECT count(*) FROM copilot_sessions WHERE id = @id", SessionId));
        Assert.Equal([(long)messages], await Sql.ColumnAsync<long>("SELECT count(*) FROM copilot_messages WHERE session_id = @id", SessionId));
    }

    /// <summary>Asserts the session is gone from every surface and that a send naming it starts a new one.</summary>
    public async Task AssertGoneAsync()
    {
        Assert.False(await GrainHasItAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync($"/api/copilot?sessionId={SessionId}")).Status);
        Assert.DoesNotContain(SessionId, (await user.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal(0, await Sql.SessionRowCountAsync(SessionId));
        Assert.Equal(0, await ReminderRowsAsync());
        Assert.Equal([0L], await Sql.ColumnAsync<long>("SELECT count(*) FROM copilot_sessions WHERE id = @id", SessionId));
        Assert.Equal([0L], await Sql.ColumnAsync<long>("SELECT count(*) FROM copilot_messages WHERE session_id = @id", SessionId));

        var again = await user.SendAsync("is it still there?", SessionId);
        Assert.NotEqual(SessionId, again.SessionId);
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync($"/api/copilot?sessionId={SessionId}")).Status);
    }

    /// <summary>Rows in Orleans' reminder table for this session's grain.</summary>
    public async Task<long> ReminderRowsAsync() => (await Sql.ColumnAsync<long>(
        """
        SELECT count(*) FROM orleansreminderstable
        WHERE grainid LIKE '%' || replace(@id::text, '-', '') || '%' OR grainid LIKE '%' || @id::text || '%'
        """,
        SessionId)).Single();
}

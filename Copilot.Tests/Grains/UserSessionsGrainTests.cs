using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Users;
using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Copilot.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class UserSessionsGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task An_older_summary_arriving_late_does_not_replace_a_newer_one()
    {
        var index = fixture.Client.GetGrain<IUserSessionsGrain>(Guid.NewGuid());
        var created = DateTimeOffset.UtcNow;
        var newer = new SessionSummary
        {
            Id = Guid.NewGuid(),
            Title = "t",
            Role = PersonaRole.Field,
            CreatedAt = created,
            UpdatedAt = created.AddSeconds(2),
            MessageCount = 4,
        };

        await index.UpsertAsync(newer);
        await index.UpsertAsync(newer with { UpdatedAt = created.AddSeconds(1), MessageCount = 2 });

        Assert.Equal([newer], (await index.ListAsync(10)).Sessions);
    }

    [Fact]
    public async Task Removing_a_session_drops_it_from_the_list_and_removing_it_again_is_harmless()
    {
        var index = fixture.Client.GetGrain<IUserSessionsGrain>(Guid.NewGuid());
        var now = DateTimeOffset.UtcNow;
        var keep = new SessionSummary { Id = Guid.NewGuid(), Title = "keep", Role = PersonaRole.Pm, CreatedAt = now, UpdatedAt = now };
        var drop = keep with { Id = Guid.NewGuid(), Title = "drop" };
        await index.UpsertAsync(keep);
        await index.UpsertAsync(drop);

        await index.RemoveAsync(drop.Id);
        await index.RemoveAsync(drop.Id);

        var page = await index.ListAsync(10);
        Assert.Equal([keep], page.Sessions);
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task Upserts_are_stored_at_once_while_touches_are_coalesced_into_one_later_write()
    {
        var user = Guid.NewGuid();
        var index = fixture.Client.GetGrain<IUserSessionsGrain>(user);
        var now = DateTimeOffset.UtcNow;
        var line = new SessionSummary { Id = Guid.NewGuid(), Title = "t", Role = PersonaRole.Field, CreatedAt = now, UpdatedAt = now };
        await index.UpsertAsync(line);
        Assert.Equal(new UserSessionRow("t", 0, 1), (await Sql.UserSessionRowsAsync(user))[line.Id]);

        for (var i = 1; i <= 5; i++)
        {
            await index.TouchAsync(line with { UpdatedAt = now.AddSeconds(i), MessageCount = i, TurnInFlight = i % 2 == 1 });
        }

        // The list answers from memory at once (the in-flight flag included); storage has not been written yet.
        var listed = Assert.Single((await index.ListAsync(10)).Sessions);
        Assert.Equal((5L, true), (listed.MessageCount, listed.TurnInFlight));
        Assert.Equal(new UserSessionRow("t", 0, 1), (await Sql.UserSessionRowsAsync(user))[line.Id]);

        // Within the flush interval (2 s by default) the five touches become one write of the newest line.
        await Eventually.HoldsAsync(
            async () => (await Sql.UserSessionRowsAsync(user))[line.Id].Version == 2, "the touches are stored", TimeSpan.FromSeconds(20));
        Assert.Equal(new UserSessionRow("t", 5, 2), (await Sql.UserSessionRowsAsync(user))[line.Id]);
        await index.UpsertAsync(line with { Title = "renamed", UpdatedAt = now.AddSeconds(5), MessageCount = 5 });
        Assert.Equal(new UserSessionRow("renamed", 5, 3), (await Sql.UserSessionRowsAsync(user))[line.Id]);
    }

    [Fact]
    public async Task A_rename_rewrites_the_row_of_its_session_and_a_removal_deletes_it_leaving_the_other_rows_alone()
    {
        var user = Guid.NewGuid();
        var index = fixture.Client.GetGrain<IUserSessionsGrain>(user);
        var lines = Lines(5);
        foreach (var line in lines)
        {
            await index.UpsertAsync(line);
        }

        var before = await Sql.UserSessionRowsAsync(user);
        Assert.All(before.Values, row => Assert.Equal(1, row.Version));

        await index.UpsertAsync(lines[2] with { Title = "renamed" });
        var renamed = await Sql.UserSessionRowsAsync(user);
        Assert.Equal(before[lines[2].Id] with { Title = "renamed", Version = 2 }, renamed[lines[2].Id]);
        Assert.Equal(Without(before, lines[2].Id), Without(renamed, lines[2].Id));

        await index.RemoveAsync(lines[3].Id);
        var removed = await Sql.UserSessionRowsAsync(user);
        Assert.Equal(Without(renamed, lines[3].Id), removed);
        Assert.Equal(4, (await index.ListAsync(10)).Total);
    }

    [Fact]
    public async Task A_list_stored_whole_by_the_previous_release_loads_complete_and_moves_to_a_row_per_session()
    {
        var user = Guid.NewGuid();
        var index = fixture.Client.GetGrain<IUserSessionsGrain>(user);
        var created = new DateTimeOffset(2026, 11, 30, 11, 44, 58, TimeSpan.Zero).AddTicks(5_827_592);
        var old = Enumerable.Range(0, 300).Select(i => new SessionSummary
        {
            Id = Guid.NewGuid(),
            Title = $"legacy {i} ünïcødé \"quoted\"",
            Role = (PersonaRole)(i % 3),
            CreatedAt = created.AddTicks(i),
            UpdatedAt = created.AddSeconds(i % 100).AddTicks(7),
            MessageCount = i,
        }).ToList();
        var silo = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).ServiceProvider;
        await silo.GetRequiredKeyedService<IGrainStorage>(CopilotStorage.ProviderName).WriteStateAsync(
            CopilotStorage.UserSessionsStateName,
            index.GetGrainId(),
            new GrainState<UserSessionsState>(new UserSessionsState { UserId = user, Sessions = old }));

        // Paged as before: newest first, ties by id, every line to the tick.
        var expected = old.OrderByDescending(s => s.UpdatedAt).ThenByDescending(s => s.Id).ToList();
        var listed = new List<SessionSummary>();
        SessionListCursor? after = null;
        do
        {
            var page = await index.ListAsync(128, after);
            Assert.Equal(300, page.Total);
            listed.AddRange(page.Sessions);
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(expected, listed);

        // Moved: a row per session, read back exactly as written, and the old row gone.
        Assert.Equal(old.Select(s => s.Id).Order(), (await Sql.UserSessionRowsAsync(user)).Keys.Order());
        var reread = await silo.GetRequiredService<IUserSessionStore>().ReadAsync(user);
        Assert.Equal(expected, reread.OrderByDescending(s => s.UpdatedAt).ThenByDescending(s => s.Id));
        Assert.Empty(await Sql.ColumnAsync<int>(
            """
            SELECT version FROM orleansstorage
            WHERE graintypestring = 'copilotusersessions' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'user_id' = @id::text
            """,
            user));
    }

    [Fact]
    public async Task Lists_are_kept_apart_by_user_and_by_service()
    {
        var (alice, bob) = (Guid.NewGuid(), Guid.NewGuid());
        var (aliceIndex, bobIndex) = (fixture.Client.GetGrain<IUserSessionsGrain>(alice), fixture.Client.GetGrain<IUserSessionsGrain>(bob));
        var (a, b) = (Lines(1)[0], Lines(1)[0]);
        await aliceIndex.UpsertAsync(a);
        await bobIndex.UpsertAsync(b);

        // Removing another user's session does nothing.
        await aliceIndex.RemoveAsync(b.Id);

        Assert.Equal([a], (await aliceIndex.ListAsync(10)).Sessions);
        Assert.Equal([b], (await bobIndex.ListAsync(10)).Sessions);
        Assert.Equal([a.Id], (await Sql.UserSessionRowsAsync(alice)).Keys);
        Assert.Equal([b.Id], (await Sql.UserSessionRowsAsync(bob)).Keys);

        // Another service on the same database has lists of its own, even for the same user and session.
        var silo = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).ServiceProvider;
        var elsewhere = new SqlUserSessionStore(
            silo.GetRequiredService<CopilotDatabase>(),
            Options.Create(new ClusterOptions { ServiceId = "elsewhere-" + Guid.NewGuid().ToString("N")[..8] }));
        Assert.Empty(await elsewhere.ReadAsync(alice));
        await elsewhere.WriteAsync(alice, [a with { Title = "elsewhere" }], []);
        Assert.Equal([a], await silo.GetRequiredService<IUserSessionStore>().ReadAsync(alice));
        await elsewhere.WriteAsync(alice, [], [a.Id]);
        Assert.Equal([a], await silo.GetRequiredService<IUserSessionStore>().ReadAsync(alice));
    }

    private static List<SessionSummary> Lines(int count)
    {
        var now = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, count).Select(i => new SessionSummary
        {
            Id = Guid.NewGuid(),
            Title = $"session {i}",
            Role = PersonaRole.Field,
            CreatedAt = now,
            UpdatedAt = now.AddSeconds(i),
            MessageCount = i,
        })];
    }

    private static Dictionary<Guid, UserSessionRow> Without(Dictionary<Guid, UserSessionRow> rows, Guid sessionId) =>
        rows.Where(r => r.Key != sessionId).ToDictionary();
}

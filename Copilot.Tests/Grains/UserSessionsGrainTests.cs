using Copilot.Grains.Personas;
using Copilot.Grains.Users;
using Copilot.Tests.Fixtures;

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
        var stored = await StoredVersionAsync(user);

        for (var i = 1; i <= 5; i++)
        {
            await index.TouchAsync(line with { UpdatedAt = now.AddSeconds(i), MessageCount = i, TurnInFlight = i % 2 == 1 });
        }

        // The list answers from memory at once (the in-flight flag included); storage has not been written yet.
        var listed = Assert.Single((await index.ListAsync(10)).Sessions);
        Assert.Equal((5L, true), (listed.MessageCount, listed.TurnInFlight));
        Assert.Equal(stored, await StoredVersionAsync(user));

        // Within the flush interval (2 s by default) the five touches become one write of the newest line.
        await Eventually.HoldsAsync(async () => await StoredVersionAsync(user) == stored + 1, "the touches are stored", TimeSpan.FromSeconds(20));
        Assert.Equal(
            [5L],
            await Sql.ColumnAsync<long>(
                """
                SELECT (convert_from(payloadbinary, 'UTF8')::jsonb -> 'sessions' -> 0 ->> 'message_count')::bigint
                FROM orleansstorage WHERE graintypestring = 'copilotusersessions'
                  AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'user_id' = @id::text
                """,
                user));
        await index.UpsertAsync(line with { Title = "renamed", UpdatedAt = now.AddSeconds(5), MessageCount = 5 });
        Assert.Equal(stored + 2, await StoredVersionAsync(user));
    }

    private static async Task<int> StoredVersionAsync(Guid user) => (await Sql.ColumnAsync<int>(
        """
        SELECT version FROM orleansstorage
        WHERE graintypestring = 'copilotusersessions' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'user_id' = @id::text
        """,
        user)).Single();
}

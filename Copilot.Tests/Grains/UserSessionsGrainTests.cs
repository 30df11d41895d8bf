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
}

using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Tests.Fixtures.Clusters;

namespace Copilot.Tests.Grains;

public sealed class RestartTests
{
    [Fact]
    public async Task A_conversation_survives_a_full_cluster_restart()
    {
        var serviceId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var written = Enumerable.Range(0, 120).Select(i => $"line {i}").ToList();

        await using (var first = await TestClusters.StartAsync(serviceId))
        {
            var grain = first.Client.GetGrain<ISessionGrain>(sessionId);
            await grain.CreateAsync(user, PersonaRole.Exec);
            foreach (var batch in written.Chunk(7))
            {
                await grain.AppendAsync(user, batch.Select(c => new NewMessage(MessageRole.User, c)).ToList());
            }

            await first.StopAllSilosAsync();
        }

        await using var second = await TestClusters.StartAsync(serviceId);
        var restarted = second.Client.GetGrain<ISessionGrain>(sessionId);

        var messages = await restarted.GetAllMessagesAsync(user);
        Assert.NotNull(messages);
        Assert.Equal(written, messages.Select(m => m.Content));
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), messages.Select(m => m.Seq));
        var info = await restarted.GetInfoAsync(user);
        Assert.Equal(PersonaRole.Exec, info!.Role);
        var listed = await second.Client.GetGrain<IUserSessionsGrain>(user).ListAsync(10);
        Assert.Equal([sessionId], listed.Sessions.Select(s => s.Id));

        // And it keeps going where it left off.
        var next = await restarted.AppendAsync(user, [new NewMessage(MessageRole.User, "after restart")]);
        Assert.Equal(120, next[0].Seq);
    }
}

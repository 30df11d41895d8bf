using Copilot.Grains;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.Clusters;

namespace Copilot.Tests.Grains;

/// <summary>Creating a session: the room the user's session cap holds for it is given back when its creation fails, so
/// "try again" is not refused by the cap.</summary>
public sealed class SessionCreationTests
{
    [Fact]
    public async Task A_session_whose_header_write_failed_leaves_room_under_the_cap_for_the_retry()
    {
        var (cluster, hold) = await TestClusters.StartHoldingAsync(
            CopilotStorage.SessionStateName, new Dictionary<string, string?> { ["Copilot:Sessions:MaxPerUser"] = "1" });
        await using var _ = cluster;
        var user = Guid.NewGuid();
        var request = new TurnRequest { Content = "how many squares is a 30 by 40 roof?", CreateIfMissing = true };

        var failing = cluster.Client.GetGrain<ISessionGrain>(Guid.NewGuid()).StartTurnAsync(user, request);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        hold.Fail(new IOException("storage refused the header"));
        await Assert.ThrowsAnyAsync<Exception>(() => failing);

        // The panel's "try again" is a new session (the failed one has no id the client knows), within the minute the
        // failed one's room would otherwise be held.
        var retry = cluster.Client.GetGrain<ISessionGrain>(Guid.NewGuid());
        var started = await retry.StartTurnAsync(user, request);
        var messages = await Turns.ReadToEndAsync(retry, user, started.TurnId);

        Assert.True(started.Created);
        Assert.Equal(MessageStatus.Complete, messages[^1].Status);
    }
}

using Copilot.Api.Admin;
using Copilot.Grains;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Copilot.Tests.Operations;

/// <summary>Deleting a user while one of their sessions is being created: that session is not listed until its first
/// question is stored, and the deletion must not miss it.</summary>
public sealed class UserDeletionDuringCreateTests
{
    [Fact]
    public async Task A_session_being_created_as_its_user_is_deleted_is_deleted_too()
    {
        var (cluster, hold) = await TestClusters.StartHoldingAsync(CopilotStorage.SessionStateName);
        await using var _ = cluster;
        var silo = ((InProcessSiloHandle)cluster.Silos[0]).ServiceProvider;
        var userData = ActivatorUtilities.CreateInstance<UserData>(silo, cluster.Client);
        var user = Guid.NewGuid();
        var sessionId = Guid.NewGuid();

        // The create holds its room under the cap and waits on its header's write.
        var creating = cluster.Client.GetGrain<ISessionGrain>(sessionId).StartTurnAsync(
            user, new TurnRequest { Content = "what does a tear-off cost per square?", CreateIfMissing = true });
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var deleting = userData.DeleteAsync(user);

        // Time for the deletion to read the empty list while the create is held; the outcome asserted below does not
        // depend on it (a deletion that reads the list later finds the session listed).
        await Task.WhenAny(deleting, Task.Delay(TimeSpan.FromSeconds(2)));
        hold.Release();
        await creating;
        var deleted = await deleting;

        Assert.Equal(1, deleted);
        Assert.Equal(0, await Sql.SessionRowCountAsync(sessionId));
        Assert.Equal(0, await Sql.SegmentRowCountAsync(sessionId));
        Assert.Empty((await cluster.Client.GetGrain<IUserSessionsGrain>(user).ListAsync(10)).Sessions);
        Assert.Empty(await cluster.Client.GetGrain<IUserSessionsGrain>(user).CreatingAsync());
    }
}

using System.Diagnostics;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Testing.Polling;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Copilot.Tests.Cluster;

[Collection(AdoNetClusterCollection.Name)]
public sealed class MembershipTests(AdoNetClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly IClusterClient _client = fixture.Client;

    [Fact]
    public async Task Killing_the_silo_that_hosts_a_session_loses_no_acknowledged_message()
    {
        await using var doomed = await ClusterSilo.StartAsync(
            fixture.ClusterId, fixture.ServiceId, new Dictionary<string, string?>(), TimeSpan.FromSeconds(60));
        var silos = fixture.Cluster.GetActiveSilos().Select(s => s.SiloAddress).Append(doomed.SiloAddress).ToList();
        await Conversations.RetryAsync(
            async () => silos.All((await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).ContainsKey)
                ? true
                : throw new InvalidOperationException("The cluster does not know every silo yet."),
            RecoveryDeadline,
            AttemptTimeout);

        var userId = Guid.NewGuid();
        var sessions = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToArray();
        // Sends are idempotent by their client message id, so one that fails while the new silo loads its share of the
        // reminder table is retried, as a client retries a 503. The first failure shows the new silo's log.
        var retried = 0;
        var replies = await Task.WhenAll(sessions.Select((id, i) => Conversations.RetryAsync(
            () => Conversations.SendAsync(_client, userId, id, $"question {i}", $"q{i}"),
            RecoveryDeadline,
            Conversations.JoiningSiloAttemptTimeout,
            ex =>
            {
                if (Interlocked.Increment(ref retried) == 1)
                {
                    output.WriteLine($"a send failed and is retried: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                    output.WriteLine($"the new silo's log so far:{Environment.NewLine}{doomed.Output}");
                }
            })));
        Assert.All(replies, reply => Assert.Equal(MessageStatus.Complete, reply.Status));

        // Orleans' default placement weighs each silo's load and need not choose the new silo: move the first ten
        // sessions there, so that the kill takes at least ten acknowledged conversations with it.
        for (var i = 0; i < 10; i++)
        {
            var session = _client.GetGrain<ISessionGrain>(sessions[i]);
            if (!doomed.SiloAddress.Equals(await fixture.FindHostAsync(session)))
            {
                await fixture.Cluster.MigrateAsync(session, doomed.SiloAddress);
            }
        }

        var hosts = await Conversations.RetryAsync(
            async () => await fixture.FindHostsAsync([.. sessions.Select(id => _client.GetGrain<ISessionGrain>(id))])
                is var found && found.Take(10).All(doomed.SiloAddress.Equals)
                    ? found
                    : throw new InvalidOperationException("The sessions have not moved yet."),
            RecoveryDeadline,
            AttemptTimeout);
        Assert.All(hosts, host => Assert.Contains(host, silos));
        const int chosen = 0;
        output.WriteLine($"sessions per silo: {string.Join(", ", silos.Select(s => $"{s}: {hosts.Count(h => s.Equals(h))}"))}");
        output.WriteLine($"killing {doomed.SiloAddress} with SIGKILL");

        var clock = Stopwatch.StartNew();
        await doomed.KillAsync();
        var declaredDead = WhenDeclaredDeadAsync(doomed.SiloAddress, clock);
        var after = await Conversations.RetryAsync(
            () => Conversations.SendAsync(_client, userId, sessions[chosen], "after the kill", "after"),
            RecoveryDeadline,
            AttemptTimeout,
            ex => output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s: send failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}"));
        var answeredAfter = clock.Elapsed;
        output.WriteLine(await declaredDead is { } deadAfter
            ? $"declared dead in the membership table {deadAfter.TotalSeconds:F1} s after SIGKILL"
            : "not declared dead in the membership table");
        output.WriteLine($"the session answered again {answeredAfter.TotalSeconds:F1} s after SIGKILL");

        Assert.Equal(MessageStatus.Complete, after.Status);
        var newHost = await fixture.FindHostAsync(_client.GetGrain<ISessionGrain>(sessions[chosen]));
        Assert.Contains(newHost, silos.Where(a => !a.Equals(doomed.SiloAddress)));
        var history = await _client.GetGrain<ISessionGrain>(sessions[chosen]).GetAllMessagesAsync(userId);
        Assert.NotNull(history);
        var question = $"question {chosen}";
        Assert.Equal(
            [question, OfflineReplies.For(question, 0), "after the kill", OfflineReplies.For("after the kill", 1)],
            history.Select(m => m.Content));
        Assert.Equal([0L, 1L, 2L, 3L], history.Select(m => m.Seq));
        Assert.All(history, m => Assert.Equal(MessageStatus.Complete, m.Status));
        Assert.Equal(replies[chosen], history[1]);
        Assert.Equal(after, history[3]);

        var all = await Task.WhenAll(sessions.Select(id => Conversations.RetryAsync(
            () => _client.GetGrain<ISessionGrain>(id).GetAllMessagesAsync(userId), RecoveryDeadline, AttemptTimeout)));
        for (var i = chosen + 1; i < sessions.Length; i++)
        {
            Assert.NotNull(all[i]);
            Assert.Equal([$"question {i}", OfflineReplies.For($"question {i}", 0)], all[i]!.Select(m => m.Content));
            Assert.Equal(replies[i], all[i]![1]);
        }
    }

    [Fact]
    public async Task A_silo_started_later_joins_the_cluster_and_takes_new_sessions()
    {
        var management = _client.GetGrain<IManagementGrain>(0);
        var before = await management.GetHosts(onlyActive: true);

        var added = await fixture.Cluster.StartAdditionalSiloAsync(startAdditionalSiloOnNewPort: true);

        Assert.Equal(SiloStatus.Active, await fixture.MembershipStatusAsync(added.SiloAddress));
        var after = await Conversations.RetryAsync(
            async () => (await management.GetHosts(onlyActive: true)) is { } hosts && hosts.ContainsKey(added.SiloAddress)
                ? hosts
                : throw new InvalidOperationException("The new silo is not in the cluster's view yet."),
            RecoveryDeadline,
            AttemptTimeout);
        Assert.Equal(before.Keys.Append(added.SiloAddress).Order(), after.Keys.Order());

        // Sessions activate on the silo that serves their first request (PreferLocalPlacement): a new silo takes new
        // sessions as soon as the load balancer sends it requests. Its own grain factory is what its HTTP API uses.
        var grainsOnNewSilo = ((InProcessSiloHandle)added).ServiceProvider.GetRequiredService<IGrainFactory>();
        var userId = Guid.NewGuid();
        var sessions = Enumerable.Range(0, 20).Select(_ => grainsOnNewSilo.GetGrain<ISessionGrain>(Guid.NewGuid())).ToArray();
        await Task.WhenAll(sessions.Select(session => session.CreateAsync(userId, PersonaRole.Field)));
        var placed = await fixture.FindHostsAsync(sessions);

        output.WriteLine($"{placed.Count(h => added.SiloAddress.Equals(h))} of {placed.Length} new sessions landed on the new silo");
        Assert.All(placed, host => Assert.True(added.SiloAddress.Equals(host), $"a session was placed on {host}"));

        // And the rest of the cluster reaches them there.
        var infos = await Task.WhenAll(sessions.Select(s => _client.GetGrain<ISessionGrain>(s.GetPrimaryKey()).GetInfoAsync(userId)));
        Assert.All(infos, info => Assert.NotNull(info));
    }

    /// <summary>When (on <paramref name="clock"/>) the membership table first holds <paramref name="silo"/> as Dead.</summary>
    private async Task<TimeSpan?> WhenDeclaredDeadAsync(SiloAddress silo, Stopwatch clock) =>
        await Poll.UntilAsync(
            async () => await fixture.MembershipStatusAsync(silo) == SiloStatus.Dead,
            RecoveryDeadline - clock.Elapsed,
            TimeSpan.FromMilliseconds(100))
            ? clock.Elapsed
            : null;
}

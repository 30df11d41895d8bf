using System.Collections.Concurrent;
using Copilot.Chaos;
using Copilot.Chaos.Checking;
using Copilot.Chaos.Cluster;
using Copilot.Chaos.Faults;
using Copilot.Chaos.Workload;
using Copilot.Testing.Auth;

// A Jepsen-style run: users converse through a local cluster while silos and PostgreSQL are killed, stopped, restarted
// and frozen; then every answer a client got is checked against what is stored.
var settings = ChaosSettings.Parse(args);
if (settings is null)
{
    return 2;
}

void Log(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

string? runDirectory = null;
var exitCode = 1;
try
{
    Log($"starting PostgreSQL and {settings.Silos} silos (seed {settings.Seed})");
    await using var cluster = await LocalCluster.StartAsync(settings);
    runDirectory = cluster.RunDirectory;
    Log($"cluster up; logs and data in {runDirectory}");
    using var http = new CopilotHttp(new JwtMinter(cluster.Secret, LocalCluster.Issuer, TimeSpan.FromDays(1)), settings.ClientTimeout);
    var probe = new ServiceProbe(cluster.Silos, http);
    await probe.StartAsync();

    var ledger = new ConcurrentQueue<Send>();
    using var stopUsers = new CancellationTokenSource();
    var users = Enumerable.Range(0, settings.Users)
        .Select(i => new VirtualUser(
            i, settings.Seed, cluster.Silos, http, ledger, presses: i % settings.PressingEvery == settings.PressingEvery - 1, settings.StreamLimit))
        .Select(u => u.RunAsync(stopUsers.Token))
        .ToList();
    var adminPosts = new AnonymousAdminPosts(settings, cluster.Silos, http);
    users.Add(adminPosts.RunAsync(stopUsers.Token));

    var start = DateTime.UtcNow;
    var warmUp = TimeSpan.FromSeconds(Math.Min(5, settings.Duration.TotalSeconds / 10));
    await Task.Delay(warmUp);
    var scheduler = new FaultScheduler(cluster, probe, settings.Seed);
    await scheduler.RunAsync(start + settings.Duration - TimeSpan.FromSeconds(Math.Min(15, settings.Duration.TotalSeconds / 4)), Log);
    var finalRecovery = scheduler.Faults.Count > 0 ? scheduler.Faults[^1].Recovery : null;

    var rest = start + settings.Duration - DateTime.UtcNow;
    if (rest > TimeSpan.Zero)
    {
        await Task.Delay(rest);
    }

    await stopUsers.CancelAsync();
    await Task.WhenAll(users);
    Log($"faults stopped; {ledger.Count:N0} sends in the ledger; checking what is stored");

    var sends = ledger.ToList();
    var invariants = await new Checker(cluster, http, settings).CheckAsync(sends, scheduler.Faults, adminPosts.Rounds, finalRecovery);
    exitCode = invariants.Any(i => i.Verdict == Verdict.Failed) ? 1 : 0;
    Console.WriteLine(ChaosReport.Render(settings, sends, scheduler.Faults, invariants, start));
}
catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException or Npgsql.NpgsqlException)
{
    Console.WriteLine($"error: the chaos run could not be carried out: {ex.Message}");
    Console.WriteLine("0 passed, 1 failed, 0 skipped");
}

// A failed run keeps its logs and database for a look; the summary stays the last line either way.
if (runDirectory is not null && exitCode == 0 && !settings.Keep)
{
    Directory.Delete(runDirectory, recursive: true);
}
else if (runDirectory is not null)
{
    await Console.Error.WriteLineAsync($"logs and database kept in {runDirectory}");
}

return exitCode;

using System.Collections.Concurrent;
using Copilot.Chaos.Cluster;

namespace Copilot.Chaos.Workload;

/// <summary>Anonymous <c>POST /api/admin/users/deleted</c> with large bodies, a round at a time to a silo picked at
/// random: each must be answered 401 without the body being read, so the silo's memory must not grow with them.</summary>
internal sealed class AnonymousAdminPosts(ChaosSettings settings, IReadOnlyList<SiloNode> silos, CopilotHttp http)
{
    private readonly Random _random = new(settings.Seed + 1);
    private readonly ConcurrentQueue<AdminPost> _rounds = new();

    /// <summary>The rounds so far.</summary>
    public IReadOnlyList<AdminPost> Rounds => [.. _rounds];

    /// <summary>Posts a round every <see cref="ChaosSettings.AdminPostInterval"/> until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        // Not JSON past its first byte: a server that parsed it would refuse it 400, not 401.
        var body = new byte[settings.AdminBodyBytes];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        while (!stop.IsCancellationRequested)
        {
            var silo = silos[_random.Next(silos.Count)];
            var before = silo.ResidentMemory();
            var round = new AdminPost { Silo = silo.Index, StartedAt = DateTime.UtcNow };
            var answers = await Task.WhenAll(Enumerable.Range(0, settings.AdminPostsAtOnce)
                .Select(_ => http.PostAnonymousAdminAsync(silo.BaseAddress, body)));
            var after = silo.ResidentMemory();
            _rounds.Enqueue(round with
            {
                EndedAt = DateTime.UtcNow,
                Answers = answers,
                BytesPosted = (long)settings.AdminBodyBytes * answers.Length,
                Growth = before is { } b && after is { } a && a.Pid == b.Pid ? a.Bytes - b.Bytes : null,
            });
            try
            {
                await Task.Delay(settings.AdminPostInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

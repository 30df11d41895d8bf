using Copilot.Chaos.Cluster;
using Copilot.Chaos.Workload;
using Copilot.Testing.Polling;

namespace Copilot.Chaos.Faults;

/// <summary>Decides whether the cluster gives full service: a turn through every silo succeeds, each in a session
/// first placed on the next silo, so the cross-silo path is part of the check.</summary>
internal sealed class ServiceProbe(IReadOnlyList<SiloNode> silos, CopilotHttp http)
{
    private readonly Guid _userId = Guid.NewGuid();
    private readonly Guid?[] _sessions = new Guid?[silos.Count];
    private int _probes;

    /// <summary>Places one session on each silo.</summary>
    public async Task StartAsync()
    {
        if (!await PassesAsync())
        {
            throw new InvalidOperationException("The cluster did not serve every silo at start.");
        }
    }

    /// <summary>One probe round: true when every silo acknowledged its turn.</summary>
    public async Task<bool> PassesAsync()
    {
        var results = await Task.WhenAll(silos.Select(async silo =>
        {
            var target = (silo.Index + 1) % silos.Count;
            var send = await http.SendAsync(
                new Send
                {
                    UserId = _userId,
                    Number = Interlocked.Increment(ref _probes),
                    Message = $"probe {_probes}",
                    SessionId = _sessions[target],
                    Silo = silo.Index,
                    StartedAt = DateTime.UtcNow,
                },
                (_sessions[target] is null ? silos[target] : silo).BaseAddress);
            if (send.Outcome == SendOutcome.Acknowledged && _sessions[target] is null)
            {
                _sessions[target] = send.AnsweredSessionId;
            }

            return send.Outcome == SendOutcome.Acknowledged && send.AnsweredSessionId == _sessions[target];
        }));
        return results.All(ok => ok);
    }

    /// <summary>Probes every 250 ms until a round passes; the time it did, or null after <paramref name="limit"/>.</summary>
    public async Task<DateTime?> WaitForFullServiceAsync(TimeSpan limit) =>
        await Poll.UntilAsync(PassesAsync, limit, TimeSpan.FromMilliseconds(250)) ? DateTime.UtcNow : null;
}

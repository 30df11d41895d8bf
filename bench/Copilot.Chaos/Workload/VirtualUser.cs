using System.Collections.Concurrent;
using Copilot.Chaos.Cluster;

namespace Copilot.Chaos.Workload;

/// <summary>A user conversing in one session through silos picked at random, one send at a time, every answer
/// written to the ledger.</summary>
internal sealed class VirtualUser(int index, int seed, IReadOnlyList<SiloNode> silos, CopilotHttp http, ConcurrentQueue<Send> ledger)
{
    private readonly Random _random = new(HashCode.Combine(seed, index));

    public Guid UserId { get; } = Guid.NewGuid();

    /// <summary>Converses until <paramref name="stop"/> is cancelled; the send under way is finished first.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        Guid? session = null;
        for (var number = 0; !stop.IsCancellationRequested; number++)
        {
            var silo = silos[_random.Next(silos.Count)];
            var send = await http.SendAsync(
                new Send
                {
                    UserId = UserId,
                    Number = number,
                    Message = $"user {index} message {number}: how do I flash a chimney on a {Pick(Roofs)} roof?",
                    SessionId = session,
                    Silo = silo.Index,
                    StartedAt = DateTime.UtcNow,
                },
                silo.BaseAddress);
            ledger.Enqueue(send);

            // Keep the session the service named; a named session answered with another id is a violation the
            // checker reports, and the conversation goes on where the service put it.
            if (send.Outcome == SendOutcome.Acknowledged || (send.Status == 200 && send.AnsweredSessionId is not null))
            {
                session = send.AnsweredSessionId;
            }

            var pause = send.Outcome == SendOutcome.NoAnswer ? 200 : _random.Next(10, 60);
            try
            {
                await Task.Delay(pause, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static readonly string[] Roofs = ["flat", "steep", "metal", "slate", "tile", "shingle"];

    private string Pick(string[] items) => items[_random.Next(items.Length)];
}

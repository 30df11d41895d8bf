using System.Collections.Concurrent;
using Copilot.Chaos.Cluster;

namespace Copilot.Chaos.Workload;

/// <summary>A user conversing in one session through silos picked at random, one send at a time, every answer
/// written to the ledger; like the panel's user, it sends a message again after a 502 (to the session the 502 names)
/// or a 503 (to the session it had), a few times with a growing pause. A pressing user instead, again and again,
/// leaves a reply after its first chunk and at once sends a burst of more concurrent messages than
/// <paramref name="streamLimit"/> allows, each in a session of its own.</summary>
internal sealed class VirtualUser(
    int index, int seed, IReadOnlyList<SiloNode> silos, CopilotHttp http, ConcurrentQueue<Send> ledger, bool presses, int streamLimit)
{
    /// <summary>Sends of one message by a conversing user: the first, and its retries after a 502 or a 503.</summary>
    public const int MaxAttempts = 5;

    /// <summary>The pause before a message's first retry, doubled before each next one (0.5 + 1 + 2 + 4 s: long enough
    /// to outlast a PostgreSQL restart or stall, as a user trying again would).</summary>
    private const int RetryPause = 500;

    /// <summary>Sends in a burst past the limit.</summary>
    public int BurstSize => streamLimit + 2;

    private readonly Random _random = new(HashCode.Combine(seed, index));

    public Guid UserId { get; } = Guid.NewGuid();

    /// <summary>Converses (or presses) until <paramref name="stop"/> is cancelled; the send under way is finished first.</summary>
    public Task RunAsync(CancellationToken stop) => presses ? PressAsync(stop) : ConverseAsync(stop);

    private async Task ConverseAsync(CancellationToken stop)
    {
        Guid? session = null;
        for (var number = 0; !stop.IsCancellationRequested;)
        {
            var message = NewMessage(number);
            Send send;
            for (var attempt = 0; ; attempt++)
            {
                var silo = silos[_random.Next(silos.Count)];
                send = await http.SendAsync(NewSend(number++, SendKind.Converse, session, silo, message) with { Attempt = attempt }, silo.BaseAddress);
                ledger.Enqueue(send);

                // Keep the session the service named; a named session answered with another id is a violation the
                // checker reports, and the conversation goes on where the service put it. A 502 names the session
                // its message is stored in, and the retry goes there.
                if (send.Outcome == SendOutcome.Acknowledged || (send.Status is 200 or 502 && send.AnsweredSessionId is not null))
                {
                    session = send.AnsweredSessionId;
                }

                if (send.Status is not (502 or 503) || attempt + 1 == MaxAttempts
                    || !await PauseAsync(RetryPause << attempt, stop))
                {
                    break;
                }
            }

            if (!await PauseAsync(send.Outcome == SendOutcome.NoAnswer ? 200 : _random.Next(10, 60), stop))
            {
                return;
            }
        }
    }

    private async Task PressAsync(CancellationToken stop)
    {
        // A session for the abandoned replies and one for each send of a burst, used again in every round: concurrent
        // sends in one session would be refused 409 before the limit is asked.
        var sessions = new Guid?[BurstSize + 1];
        var number = 0;
        while (!stop.IsCancellationRequested)
        {
            // The abandoned reply runs on, holding one of the user's slots, while the burst asks for all of them.
            var silo = silos[_random.Next(silos.Count)];
            var abandoned = await http.SendAsync(NewSend(number++, SendKind.Abandon, sessions[0], silo), silo.BaseAddress);
            ledger.Enqueue(abandoned);
            var sends = Enumerable.Range(1, BurstSize)
                .Select(i => NewSend(number++, SendKind.Burst, sessions[i], silo))
                .ToList();
            var answers = await Task.WhenAll(sends.Select(s => http.SendAsync(s with { StartedAt = DateTime.UtcNow }, silo.BaseAddress)));
            foreach (var (send, i) in answers.Prepend(abandoned).Select((send, i) => (send, i)))
            {
                if (i > 0)
                {
                    ledger.Enqueue(send);
                }

                if (send.Status == 200 && send.AnsweredSessionId is not null)
                {
                    sessions[i] = send.AnsweredSessionId;
                }
            }

            if (!await PauseAsync(_random.Next(500, 1_000), stop))
            {
                return;
            }
        }
    }

    private string NewMessage(int number) => $"user {index} message {number}: how do I flash a chimney on a {Pick(Roofs)} roof?";

    private Send NewSend(int number, SendKind kind, Guid? session, SiloNode silo, string? message = null) => new()
    {
        UserId = UserId,
        Number = number,
        Kind = kind,
        Message = message ?? NewMessage(number),
        SessionId = session,
        Silo = silo.Index,
        StartedAt = DateTime.UtcNow,
    };

    private static async Task<bool> PauseAsync(int milliseconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(milliseconds, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static readonly string[] Roofs = ["flat", "steep", "metal", "slate", "tile", "shingle"];

    private string Pick(string[] items) => items[_random.Next(items.Length)];
}

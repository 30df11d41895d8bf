using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>Streamed turns from a model that streams like a real one (the fake OpenAI-compatible server of
/// <c>bench/seed-on-node</c>): N users in a closed loop, each in their own session, on one route.</summary>
/// <remarks>
/// A turn lasts as long as the model streams (2,000 characters in 4-character chunks every 20 ms: 10 s), so users start
/// spread over one turn's length, the window counts the turns that end inside it, and after the window the turns in
/// flight run to their end unmeasured (a reply left half-read would still be generated and stored by the service, and
/// its cost would fall into the next window).
/// </remarks>
internal static class StreamPhase
{
    /// <summary>The route one side serves.</summary>
    public sealed record class Side(
        string Name,
        string Surface,
        int ServicePid,
        HttpClient Http,
        Func<Guid, string> TokenFor,
        bool StoresReadableHistory);

    /// <summary>Runs <paramref name="side"/> at <paramref name="users"/> users.</summary>
    public static async Task<StreamFigure> RunAsync(
        Side side, int users, StreamSettings stream, CpuMeter postgres, int modelPid, CancellationToken cancellationToken)
    {
        var turnLength = ModelClientPhase.TurnLength(stream);
        var windowStart = turnLength + stream.Warmup;
        var windowEnd = windowStart + stream.Duration;
        var idleMemory = CpuMeter.TreeResidentBytes(side.ServicePid);
        var userIds = Enumerable.Range(0, users).Select(_ => Guid.NewGuid()).ToArray();
        var sessions = new Guid?[users];
        var lastReplies = new string?[users];
        var firstText = new ConcurrentBag<double>();
        var firstTextContinued = new ConcurrentBag<double>();
        var pauses = new ConcurrentBag<double>();
        var completed = 0;
        var errors = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var v1 = side.Surface.Contains("/v1", StringComparison.Ordinal);

        async Task UserAsync(int user)
        {
            await Task.Delay(turnLength * user / users, cancellationToken);
            for (var asked = 0; clock.Elapsed < windowEnd; asked++)
            {
                try
                {
                    var token = side.TokenFor(userIds[user]);
                    var creates = sessions[user] is null;
                    var question = Conversation.Question(asked);
                    var turn = v1
                        ? await StreamedTurns.UiStreamAsync(side.Http, token, sessions[user] ?? Guid.NewGuid(), question, cancellationToken)
                        : await StreamedTurns.PlainAsync(side.Http, token, sessions[user], question, cancellationToken);
                    sessions[user] = turn.SessionId;
                    lastReplies[user] = turn.Text;
                    if (turn.Text.Length != stream.ReplyChars)
                    {
                        throw new InvalidOperationException($"A reply arrived with {turn.Text.Length} of its {stream.ReplyChars} characters.");
                    }

                    var end = clock.Elapsed;
                    if (end >= windowStart && end <= windowEnd)
                    {
                        Interlocked.Increment(ref completed);
                        firstText.Add(turn.FirstTextMilliseconds);
                        if (!creates)
                        {
                            firstTextContinued.Add(turn.FirstTextMilliseconds);
                        }

                        pauses.Add(turn.LongestPauseMilliseconds);
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    await Task.Delay(100, cancellationToken);
                }
            }
        }

        (TimeSpan Service, TimeSpan Postgres, TimeSpan Model, TimeSpan Client, TimeSpan Machine) Sample()
        {
            var all = postgres.Sample();
            return (CpuMeter.TreeTime(side.ServicePid), all.Postgres, CpuMeter.TreeTime(modelPid), all.Bench, all.Machine);
        }

        var memory = new List<long>();
        async Task<(TimeSpan Service, TimeSpan Postgres, TimeSpan Model, TimeSpan Client, TimeSpan Machine)> WindowAsync()
        {
            await Task.Delay(windowStart, cancellationToken);
            var before = Sample();
            while (clock.Elapsed < windowEnd)
            {
                memory.Add(CpuMeter.TreeResidentBytes(side.ServicePid));
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            var after = Sample();
            return (after.Service - before.Service, after.Postgres - before.Postgres, after.Model - before.Model, after.Client - before.Client, after.Machine - before.Machine);
        }

        var window = WindowAsync();
        await Task.WhenAll(Enumerable.Range(0, users).Select(UserAsync));
        var cpu = await window;

        var stored = side.StoresReadableHistory ? await CheckStoredAsync(side, userIds, sessions, lastReplies, cancellationToken) : (0, null);
        if (stored.Mismatch is { } mismatch)
        {
            errors++;
            firstError ??= mismatch;
        }

        double PerTurn(TimeSpan time) => time.TotalMilliseconds / completed;
        var others = cpu.Machine - cpu.Service - cpu.Postgres - cpu.Model - cpu.Client;
        return new StreamFigure(
            side.Name,
            side.Surface,
            users,
            completed / stream.Duration.TotalSeconds,
            completed > 0 ? new StreamCpu(PerTurn(cpu.Service), PerTurn(cpu.Postgres), PerTurn(cpu.Model), PerTurn(cpu.Client)) : null,
            LatencySummary.From([.. firstText]),
            LatencySummary.From([.. firstTextContinued]),
            LatencySummary.From([.. pauses]),
            memory.Count > 0 ? (memory.Average() - idleMemory) / users / 1024 : null,
            errors,
            firstError,
            stored.Checked,
            Math.Max(0, others / (stream.Duration * Environment.ProcessorCount)));
    }

    /// <summary>Compares each session's last stored reply with the last one streamed to it.</summary>
    private static async Task<(int Checked, string? Mismatch)> CheckStoredAsync(
        Side side, Guid[] users, Guid?[] sessions, string?[] replies, CancellationToken cancellationToken)
    {
        var count = 0;
        for (var i = 0; i < users.Length; i++)
        {
            if (sessions[i] is not { } session || replies[i] is not { } reply)
            {
                continue;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/copilot?sessionId={session}");
            request.Headers.Authorization = new("Bearer", side.TokenFor(users[i]));
            using var response = await side.Http.SendAsync(request, cancellationToken);
            var history = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var last = history.GetProperty("messages").EnumerateArray().LastOrDefault(m => m.GetProperty("role").GetString() == "assistant");
            if (last.ValueKind != JsonValueKind.Object || last.GetProperty("content").GetString() != reply)
            {
                return (count, $"session {session}: the stored reply is not the one streamed");
            }

            count++;
        }

        return (count, null);
    }
}

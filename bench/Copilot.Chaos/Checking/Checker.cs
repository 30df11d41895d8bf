using Copilot.Chaos.Cluster;
using Copilot.Chaos.Workload;
using Copilot.Testing.Polling;
using Npgsql;

namespace Copilot.Chaos.Checking;

/// <summary>Compares what clients were told (the ledger) with what is stored, once the faults have stopped.</summary>
internal sealed class Checker(LocalCluster cluster, CopilotHttp http)
{
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Every invariant, in a fixed order.</summary>
    public async Task<IReadOnlyList<Invariant>> CheckAsync(
        IReadOnlyList<Send> ledger, TimeSpan? finalRecovery, TimeSpan recoveryLimit)
    {
        var sessions = await ReadSessionsAsync(ledger);
        var lost = new List<string>();
        var duplicated = new List<string>();
        var disorder = new List<string>();
        var replies = new List<string>();
        var cutShort = new List<string>();
        var vanished = new List<string>();
        var (acknowledged, cutShortChecked, sessionsChecked) = (0, 0, 0);

        foreach (var (sessionId, stored) in sessions)
        {
            var sends = ledger.Where(s => s.AnsweredSessionId == sessionId).OrderBy(s => s.UserId).ThenBy(s => s.Number).ToList();
            var acked = sends.Where(s => s.Outcome == SendOutcome.Acknowledged).ToList();
            sessionsChecked++;
            if (stored is null)
            {
                if (acked.Count > 0)
                {
                    vanished.Add($"session {sessionId} ({acked.Count} acknowledged messages) is not found");
                }

                continue;
            }

            for (var i = 0; i < stored.Messages.Count; i++)
            {
                if (StoredSession.Seq(stored.Messages[i]) != i)
                {
                    disorder.Add($"session {sessionId}: message {i} has seq {StoredSession.Seq(stored.Messages[i])}");
                    break;
                }
            }

            duplicated.AddRange(stored.Messages
                .Where(m => StoredSession.Role(m) == "user")
                .GroupBy(StoredSession.Content)
                .Where(g => g.Count() > 1)
                .Select(g => $"session {sessionId}: \"{g.Key}\" stored {g.Count()} times"));

            var lastPosition = -1;
            foreach (var send in sends)
            {
                var positions = stored.PositionsOf(send.Message);
                if (positions.Count > 0)
                {
                    if (positions[0] < lastPosition)
                    {
                        disorder.Add($"session {sessionId}: \"{send.Message}\" is stored before an earlier send");
                    }

                    lastPosition = positions[0];
                }

                if (send.Outcome != SendOutcome.Acknowledged)
                {
                    continue;
                }

                acknowledged++;
                if (positions.Count == 0)
                {
                    lost.Add($"session {sessionId}: \"{send.Message}\" (acknowledged by silo {send.Silo} at {send.EndedAt:HH:mm:ss.fff})");
                    continue;
                }

                var reply = positions[0] + 1 < stored.Messages.Count ? stored.Messages[positions[0] + 1] : default;
                var (status, content) = reply.ValueKind == System.Text.Json.JsonValueKind.Undefined
                    ? ("missing", (string?)null)
                    : (StoredSession.Status(reply), StoredSession.Content(reply));
                if (send.CutShort is null)
                {
                    if (status != "complete" || content != send.Reply)
                    {
                        replies.Add($"session {sessionId}: reply to \"{send.Message}\" stored {status} with {content?.Length ?? 0} of {send.Reply!.Length} characters");
                    }
                }
                else if (send.CutShort == "interrupted" && status == "interrupted" &&
                         cluster.Silos.Any(s => s.WasDownDuring(send.StartedAt, send.EndedAt)))
                {
                    // The silo running the reply died: what it had streamed lived only in its memory. The stream
                    // told the client so, and the turn is stored as interrupted; nothing acknowledged was lost.
                }
                else
                {
                    cutShortChecked++;
                    if (content != send.Reply)
                    {
                        cutShort.Add($"session {sessionId}: the client saw {send.Reply!.Length} characters and \"cut short: {send.CutShort}\"; stored {status} with {content?.Length ?? 0}");
                    }
                }
            }
        }

        vanished.AddRange(ledger
            .Where(s => s.SessionId is { } named && s.AnsweredSessionId is { } answered && answered != named)
            .Select(s => $"a send naming session {s.SessionId} was answered in session {s.AnsweredSessionId}"));

        var inFlight = await InFlightCountAsync();
        var answers = ledger.Where(s => !IsAllowedAnswer(s)).Select(Describe).ToList();

        return
        [
            Invariant.From("every acknowledged message is stored", acknowledged, lost, "acknowledged messages"),
            Invariant.From("no message is stored twice", sessionsChecked, duplicated, "sessions"),
            Invariant.From("messages stored in send order with dense seq numbers", sessionsChecked, disorder, "sessions"),
            Invariant.From("every acknowledged reply is stored complete", acknowledged - cutShortChecked - lost.Count, replies, "acknowledged replies"),
            Invariant.From("a reply cut short by storage is stored with the text the client saw", cutShortChecked, cutShort, "cut-short replies"),
            Invariant.From("no session vanished", sessionsChecked, vanished, "sessions"),
            Invariant.From("no reply is left in flight", sessions.Count, inFlight == 0 ? [] : [$"{inFlight} sessions still hold an in-flight marker"], "sessions"),
            Invariant.From("every answer is 200, 409 or 503, never a hang", ledger.Count, answers, "answers"),
            Invariant.From(
                $"full service within {recoveryLimit.TotalSeconds:0} s of the last fault",
                1,
                finalRecovery is { } r && r <= recoveryLimit ? [] : [finalRecovery is { } t ? $"took {t.TotalSeconds:0.0} s" : "never recovered"],
                "recoveries"),
        ];
    }

    /// <summary>Success, 409 and 503 are answers the service may give under faults. No answer, or a stream that broke
    /// off, only while a silo was down: the one asked, or the one generating the reply, which may be any.</summary>
    private bool IsAllowedAnswer(Send send) => send.Outcome switch
    {
        SendOutcome.Acknowledged => true,
        SendOutcome.Refused => send.Status is 409 or 503,
        SendOutcome.Hang => false,
        _ => cluster.Silos.Any(s => s.WasDownDuring(send.StartedAt, send.EndedAt)),
    };

    private static string Describe(Send send) => send.Outcome switch
    {
        SendOutcome.Refused => $"{send.Status} {send.Code} from silo {send.Silo} at {send.EndedAt:HH:mm:ss.fff}",
        _ => $"{send.Outcome} from silo {send.Silo} at {send.EndedAt:HH:mm:ss.fff}: {send.Error}",
    };

    /// <summary>Every session a send was answered in, read through the API (retrying through other silos).</summary>
    private async Task<Dictionary<Guid, StoredSession?>> ReadSessionsAsync(IReadOnlyList<Send> ledger)
    {
        var owners = ledger.Where(s => s.AnsweredSessionId is not null)
            .GroupBy(s => s.AnsweredSessionId!.Value)
            .ToDictionary(g => g.Key, g => g.First().UserId);
        var sessions = new Dictionary<Guid, StoredSession?>();
        foreach (var (sessionId, userId) in owners)
        {
            var attempt = 0;
            var messages = await Poll.RetryAsync(
                () => http.MessagesAsync(userId, sessionId, cluster.Silos[attempt++ % cluster.Silos.Count].BaseAddress),
                ReadDeadline,
                TimeSpan.FromMilliseconds(250),
                ex => ex is HttpRequestException or OperationCanceledException);
            sessions[sessionId] = messages is null ? null : new StoredSession(sessionId, messages);
        }

        return sessions;
    }

    private async Task<long> InFlightCountAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(cluster.Postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(
            """
            -- A turn's in-flight marker is stored with its user message (and in a header checkpoint taken meanwhile);
            -- the turn has ended once a message with the turn's id (its reply) is stored.
            WITH markers AS
            (
                SELECT doc ->> 'id' AS session_id, (doc -> 'in_flight' ->> 'turn_id')::uuid AS turn_id
                FROM orleansstorage CROSS JOIN LATERAL jsonb(convert_from(payloadbinary, 'UTF8')) AS doc
                WHERE serviceid = @service AND graintypestring = 'copilotsession' AND payloadbinary IS NOT NULL
                  AND jsonb_typeof(doc -> 'in_flight') = 'object'
                UNION ALL
                SELECT doc ->> 'session_id', (doc -> 'in_flight' ->> 'turn_id')::uuid
                FROM orleansstorage CROSS JOIN LATERAL jsonb(convert_from(payloadbinary, 'UTF8')) AS doc
                WHERE serviceid = @service AND graintypestring = 'copilotsegment' AND payloadbinary IS NOT NULL
                  AND jsonb_typeof(doc -> 'in_flight') = 'object'
            )
            SELECT count(DISTINCT session_id) FROM markers m
            WHERE NOT EXISTS (SELECT 1 FROM copilot_messages c WHERE c.id = m.turn_id)
            """);
        command.Parameters.AddWithValue("service", LocalCluster.ServiceId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Copilot.Chaos.Cluster;
using Copilot.Chaos.Faults;
using Copilot.Chaos.Workload;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Testing.Polling;
using Npgsql;

namespace Copilot.Chaos.Checking;

/// <summary>Compares what clients were told (the ledger) with what is stored, once the faults have stopped.</summary>
internal sealed class Checker(LocalCluster cluster, CopilotHttp http, ChaosSettings settings)
{
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(60);

    /// <summary>How long after a silo was down a user's limits grain may not know every running turn: the silo's death
    /// is declared and its grains move within about 15 s, and the new activation learns the running turns within a
    /// quarter of the slot lease.</summary>
    private TimeSpan LimitsRelearned => TimeSpan.FromSeconds(15) + settings.StreamSlotLease;

    /// <summary>Every invariant, in a fixed order.</summary>
    public async Task<IReadOnlyList<Invariant>> CheckAsync(
        IReadOnlyList<Send> ledger, IReadOnlyList<Fault> faults, IReadOnlyList<AdminPost> adminPosts, TimeSpan? finalRecovery)
    {
        var sessions = await ReadSessionsAsync(ledger);
        var ledgerUsers = ledger.Select(s => s.UserId).ToHashSet();
        var replaced = await RepliesLeavingNothingAsync();
        var replacedReplies = 0;
        var lost = new List<string>();
        var duplicated = new List<string>();
        var disorder = new List<string>();
        var replies = new List<string>();
        var cutShort = new List<string>();
        var vanished = new List<string>();
        var abandonedReplies = new List<string>();
        var (acknowledged, cutShortChecked, sessionsChecked, abandoned) = (0, 0, 0, 0);

        foreach (var (sessionId, stored) in sessions)
        {
            var sends = ledger.Where(s => s.AnsweredSessionId == sessionId).OrderBy(s => s.UserId).ThenBy(s => s.Number).ToList();
            var acked = sends.Where(s => s.Outcome is SendOutcome.Acknowledged or SendOutcome.Abandoned).ToList();
            sessionsChecked++;
            if (stored is null)
            {
                if (acked.Count > 0)
                {
                    vanished.Add($"session {sessionId} ({acked.Count} acknowledged messages) is not found");
                }

                continue;
            }

            var expected = 0L;
            for (var i = 0; i < stored.Messages.Count; i++)
            {
                // A reply that left nothing (failed, or interrupted before its first text) and whose question was sent
                // again is kept on a branch of its own, next to the retry's reply: the one gap the active path may have.
                var seq = StoredSession.Seq(stored.Messages[i]);
                while (expected < seq && i > 0 && replaced.TryGetValue((sessionId, expected), out var question)
                    && question == StoredSession.MessageId(stored.Messages[i - 1]))
                {
                    expected++;
                    replacedReplies++;
                }

                if (seq != expected)
                {
                    disorder.Add($"session {sessionId}: message {i} has seq {seq}, not {expected}");
                    break;
                }

                expected++;
            }

            // The users' texts are checked over all their sessions below; the probe's sessions, whose texts repeat in
            // other sessions of its own, each on their own.
            if (!ledgerUsers.Contains(stored.OwnerId))
            {
                duplicated.AddRange(stored.Messages
                    .Where(m => StoredSession.Role(m) == "user")
                    .GroupBy(StoredSession.Content)
                    .Where(g => g.Count() > 1)
                    .Select(g => $"session {sessionId}: \"{g.Key}\" stored {g.Count()} times"));
            }

            var lastPosition = -1;
            foreach (var send in sends)
            {
                if (send.Outcome == SendOutcome.Abandoned)
                {
                    abandoned++;
                    abandonedReplies.AddRange(CheckAbandoned(send, stored, faults));
                }

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

        var texts = CheckTextsStoredOnce(ledger, sessions);
        duplicated.AddRange(texts.Violations);
        var retryAnswersInFaults = ledger.Count(s => s.Kind == SendKind.Converse && s.Status is 502 or 503
            && faults.Any(f => f.InjectedAt <= s.EndedAt && s.StartedAt <= (f.RecoveredAt ?? f.EndedAt)));
        if (retryAnswersInFaults > 0 && texts.Retried == 0)
        {
            texts.RetryViolations.Add($"{retryAnswersInFaults} sends of conversing users were answered 502 or 503 during faults, and no message was sent again");
        }

        var inFlight = await InFlightCountAsync();
        var answers = ledger.Where(s => !IsAllowedAnswer(s)).Select(Describe).ToList();
        var (turnsChecked, overLimit) = CheckStreamLimit(ledger, sessions);
        var burstSends = ledger.Count(s => s.Kind == SendKind.Burst);
        var refused = ledger.Count(s => s.Kind == SendKind.Burst && IsStreamRefusal(s));
        if (burstSends > 0 && refused == 0)
        {
            overLimit.Add($"no burst of {settings.StreamLimit + 2} sends was ever refused 429: the limit was never reached");
        }

        return
        [
            Invariant.From("every acknowledged message is stored", acknowledged, lost, "acknowledged messages"),
            Invariant.From(
                "no message is stored twice, in any of its user's sessions; one answered 200 is stored once",
                texts.Checked,
                duplicated,
                $"texts sent ({texts.Retried:N0} of them more than once), in {sessionsChecked:N0} sessions"),
            Invariant.From(
                "a message sent again after a 502 or 503 is stored once at most, and once when answered 200",
                texts.Retried,
                texts.RetryViolations,
                $"messages sent again ({texts.RetriedAnswered:N0} answered 200, {texts.StoredByEarlierSend:N0} of these stored by "
                + $"an earlier send; {retryAnswersInFaults:N0} answers 502 or 503 to conversing users during faults)"),
            Invariant.From(
                "messages stored in send order with dense seq numbers, but for replies a retry replaced",
                sessionsChecked,
                disorder,
                $"sessions ({replacedReplies:N0} replies that left nothing replaced by a retry's, off the active path)"),
            Invariant.From("every acknowledged reply is stored complete", acknowledged - cutShortChecked - lost.Count, replies, "acknowledged replies"),
            Invariant.From("a reply cut short by storage is stored with the text the client saw", cutShortChecked, cutShort, "cut-short replies"),
            Invariant.From("no session vanished", sessionsChecked, vanished, "sessions"),
            Invariant.From("no reply is left in flight", sessions.Count, inFlight == 0 ? [] : [$"{inFlight} sessions still hold an in-flight marker"], "sessions"),
            Invariant.From("every answer is 200, 409 or 503 (429 past the stream limit), never a hang", ledger.Count, answers, "answers"),
            Invariant.From("a reply whose client left runs on and is stored whole", abandoned, abandonedReplies, "abandoned replies"),
            Invariant.From(
                $"no user runs more than {settings.StreamLimit} turns at once; a burst past it is refused 429",
                turnsChecked,
                overLimit,
                $"turns ({refused:N0} of {burstSends:N0} burst sends refused 429)"),
            Invariant.From(
                $"anonymous admin posts of {settings.AdminBodyBytes / (1024 * 1024)} MB are refused 401 unread",
                adminPosts.Sum(p => p.Answers.Count),
                CheckAdminPosts(adminPosts),
                $"posts in {adminPosts.Count} rounds, largest growth of a silo's memory over a round "
                + $"{(adminPosts.Max(p => p.Growth) ?? 0) / (1024 * 1024):0} MB"),
            Invariant.From(
                $"full service within {settings.RecoveryLimit.TotalSeconds:0} s of the last fault",
                1,
                finalRecovery is { } r && r <= settings.RecoveryLimit ? [] : [finalRecovery is { } t ? $"took {t.TotalSeconds:0.0} s" : "never recovered"],
                "recoveries"),
        ];
    }

    /// <summary>Every text a user sent, over all its sends (a retry sends it again), against the user messages of all the
    /// user's stored sessions, those whose answer was lost included: stored at most once, and once when a send of it was
    /// answered 200 (the message is stored before the status line goes out). Also how many texts were sent more than
    /// once, how many of these were answered 200, and how many of those were stored by an earlier send than the one
    /// answered 200: a retry that asked again for a question already stored, the case that used to store it twice.</summary>
    private static (int Checked, int Retried, int RetriedAnswered, int StoredByEarlierSend, List<string> Violations, List<string> RetryViolations)
        CheckTextsStoredOnce(IReadOnlyList<Send> ledger, Dictionary<Guid, StoredSession?> sessions)
    {
        var stored = sessions.Values
            .OfType<StoredSession>()
            .SelectMany(session => session.Messages
                .Where(m => StoredSession.Role(m) == "user")
                .Select(m => (session.OwnerId, session.Id, Text: StoredSession.Content(m), CreatedAt: StoredSession.CreatedAt(m).UtcDateTime)))
            .ToLookup(m => (m.OwnerId, m.Text));
        var (texts, retried, retriedAnswered, storedByEarlier) = (0, 0, 0, 0);
        var (violations, retryViolations) = (new List<string>(), new List<string>());
        foreach (var text in ledger.GroupBy(s => (s.UserId, s.Message)))
        {
            texts++;
            var sends = text.OrderBy(s => s.Attempt).ToList();
            var copies = stored[text.Key].OrderBy(c => c.CreatedAt).ToList();
            var answered = sends.FirstOrDefault(s => s.Status == 200);
            var answers = string.Join(", ", sends.Select(s => $"{s.Status?.ToString(CultureInfo.InvariantCulture) ?? s.Outcome.ToString()} from silo {s.Silo} at {s.EndedAt:HH:mm:ss.fff}"));
            var violation = copies.Count > 1
                ? $"user {text.Key.UserId:N}: \"{text.Key.Message}\" sent {sends.Count} times ({answers}), stored {copies.Count} times ("
                    + string.Join(", ", copies.Select(c => $"session {c.Id} at {c.CreatedAt:HH:mm:ss.fff}")) + ")"
                : copies.Count == 0 && answered is not null
                    ? $"user {text.Key.UserId:N}: \"{text.Key.Message}\" sent {sends.Count} times ({answers}), stored in none of the user's sessions"
                    : null;
            if (violation is not null)
            {
                violations.Add(violation);
            }

            if (sends.Count == 1)
            {
                continue;
            }

            retried++;
            if (violation is not null)
            {
                retryViolations.Add(violation);
            }

            if (answered is not null)
            {
                retriedAnswered++;
                storedByEarlier += copies.Count == 1 && copies[0].CreatedAt < answered.StartedAt ? 1 : 0;
            }
        }

        return (texts, retried, retriedAnswered, storedByEarlier, violations, retryViolations);
    }

    /// <summary>Success, 409 and 503 are answers the service may give under faults, and 429 to a pressing user's send
    /// past the stream limit. No answer, or a stream that broke off, only while a silo was down: the one asked, or the
    /// one generating the reply, which may be any.</summary>
    private bool IsAllowedAnswer(Send send) => send.Outcome switch
    {
        SendOutcome.Acknowledged or SendOutcome.Abandoned => true,
        SendOutcome.Refused => send.Status is 409 or 503 || (send.Kind != SendKind.Converse && IsStreamRefusal(send)),
        SendOutcome.Hang => false,
        _ => cluster.Silos.Any(s => s.WasDownDuring(send.StartedAt, send.EndedAt)),
    };

    private static string Describe(Send send) => send.Outcome switch
    {
        SendOutcome.Refused => $"{send.Status} {send.Code} from silo {send.Silo} at {send.EndedAt:HH:mm:ss.fff}"
            + (send.Detail is { } detail ? $" ({detail}; user {send.UserId:N}, send {send.Number})" : ""),
        _ => $"{send.Outcome} from silo {send.Silo} at {send.EndedAt:HH:mm:ss.fff}: {send.Error}",
    };

    private static bool IsStreamRefusal(Send send) => send.Status == 429 && send.Code == ErrorCodes.RateLimited;

    /// <summary>The reply of a send whose client left after its first chunk: generated to the end and stored whole, as
    /// the offline model composes it (after as many earlier turns as its context held), starting with what the client
    /// saw; or, when a fault hit while it ran, stored with a status other than complete and a beginning of it.</summary>
    private IEnumerable<string> CheckAbandoned(Send send, StoredSession stored, IReadOnlyList<Fault> faults)
    {
        var positions = stored.PositionsOf(send.Message);
        if (positions.Count == 0)
        {
            yield return $"session {stored.Id}: \"{send.Message}\" was answered 200 and is not stored";
            yield break;
        }

        var reply = positions[0] + 1 < stored.Messages.Count ? stored.Messages[positions[0] + 1] : default;
        var (status, content) = reply.ValueKind == System.Text.Json.JsonValueKind.Undefined
            ? ("missing", "")
            : (StoredSession.Status(reply), StoredSession.Content(reply) ?? "");
        var until = send.StartedAt + settings.ClientTimeout;
        var faulted = faults.Any(f => f.InjectedAt <= until && f.EndedAt >= send.StartedAt)
            || cluster.Silos.Any(s => s.WasDownDuring(send.StartedAt, until));
        var whole = Enumerable.Range(0, positions[0] + 1)
            .Select(earlier => string.Concat(OfflineChatClient.Compose(send.Message, earlier)))
            .ToList();
        // A silo that died while the reply ran took what it had streamed with it (the text lives only in the activation
        // until the reply is stored), so the next activation stores it as interrupted with less than the client saw.
        var lostWithItsSilo = status == "interrupted" && cluster.Silos.Any(s => s.WasDownDuring(send.StartedAt, until));
        if ((!content.StartsWith(send.Reply ?? "", StringComparison.Ordinal) && !lostWithItsSilo)
            || (status == "complete" ? !whole.Contains(content) : !faulted || !whole.Any(w => w.StartsWith(content, StringComparison.Ordinal))))
        {
            yield return $"session {stored.Id}: the client left after {send.Reply?.Length ?? 0} characters; stored {status} with {content.Length}";
        }
    }

    /// <summary>Each user's turns whose reply is stored complete held a stream slot at least from the moment their user
    /// message was stored through the offline model's chunk delays (the slot is taken before, and freed after the
    /// model call): no more than the limit of these windows may overlap, except while the user's limits grain may not
    /// know every running turn after a silo was down (<see cref="LimitsRelearned"/>).</summary>
    private (int TurnsChecked, List<string> Violations) CheckStreamLimit(
        IReadOnlyList<Send> ledger, Dictionary<Guid, StoredSession?> sessions)
    {
        var held = settings.ChunkDelay * 4;
        var violations = new List<string>();
        var turnsChecked = 0;
        foreach (var user in ledger.Where(s => s.AnsweredSessionId is not null).GroupBy(s => s.UserId))
        {
            var starts = user.Select(s => s.AnsweredSessionId!.Value).Distinct()
                .Select(id => sessions.GetValueOrDefault(id))
                .OfType<StoredSession>()
                .SelectMany(stored => stored.Messages
                    .Select((m, i) => (m, i))
                    .Where(x => StoredSession.Role(x.m) == "user" && x.i + 1 < stored.Messages.Count
                        && StoredSession.Status(stored.Messages[x.i + 1]) == "complete")
                    .Select(x => StoredSession.CreatedAt(x.m).UtcDateTime))
                .Order()
                .ToList();
            turnsChecked += starts.Count;
            for (var i = 0; i < starts.Count; i++)
            {
                var running = starts.Count(t => t <= starts[i] && starts[i] < t + held);
                if (running > settings.StreamLimit && !cluster.Silos.Any(s => s.WasDownDuring(starts[i] - LimitsRelearned, starts[i])))
                {
                    violations.Add($"user {user.Key} ran {running} turns at {starts[i]:HH:mm:ss.fff}");
                    break;
                }
            }
        }

        return (turnsChecked, violations);
    }

    /// <summary>Every anonymous admin post is answered 401 <c>unauthorized</c> (no answer only while its silo was down),
    /// and the silo's resident memory grows over a round by less than half of what the round posted.</summary>
    private IReadOnlyList<string> CheckAdminPosts(IReadOnlyList<AdminPost> rounds)
    {
        var violations = new List<string>();
        foreach (var round in rounds)
        {
            var down = cluster.Silos[round.Silo].WasDownDuring(round.StartedAt, round.EndedAt);
            violations.AddRange(round.Answers
                .Where(a => !(a.Status == 401 && a.Code == ErrorCodes.Unauthorized) && !(a.Status is null && down))
                .Select(a => $"silo {round.Silo} at {round.StartedAt:HH:mm:ss}: {a.Status?.ToString(CultureInfo.InvariantCulture) ?? a.Error} {a.Code}"));
            if (round.Growth > round.BytesPosted / 2)
            {
                violations.Add($"silo {round.Silo} grew {round.Growth / (1024 * 1024)} MB over a round of {round.BytesPosted / (1024 * 1024)} MB posted");
            }
        }

        return violations;
    }

    /// <summary>Every session a send was answered in, and every other stored session (one whose answer was lost), read
    /// through the API (retrying through other silos): each is opened once after the faults, as its user would.</summary>
    private async Task<Dictionary<Guid, StoredSession?>> ReadSessionsAsync(IReadOnlyList<Send> ledger)
    {
        var owners = ledger.Where(s => s.AnsweredSessionId is not null)
            .GroupBy(s => s.AnsweredSessionId!.Value)
            .ToDictionary(g => g.Key, g => g.First().UserId);
        foreach (var (sessionId, ownerId) in await StoredSessionsAsync())
        {
            owners.TryAdd(sessionId, ownerId);
        }

        var sessions = new ConcurrentDictionary<Guid, StoredSession?>();
        await Parallel.ForEachAsync(owners, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (owner, _) =>
        {
            var (sessionId, userId) = owner;
            var attempt = sessionId.GetHashCode();
            var messages = await Poll.RetryAsync(
                () => http.MessagesAsync(userId, sessionId, cluster.Silos[(attempt++ & int.MaxValue) % cluster.Silos.Count].BaseAddress),
                ReadDeadline,
                TimeSpan.FromMilliseconds(250),
                ex => ex is HttpRequestException or OperationCanceledException);
            sessions[sessionId] = messages is null ? null : new StoredSession(sessionId, userId, messages);
        });

        return new Dictionary<Guid, StoredSession?>(sessions);
    }

    /// <summary>Every stored session and its owner.</summary>
    private async Task<List<(Guid Session, Guid Owner)>> StoredSessionsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(cluster.Postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT (doc ->> 'id')::uuid, (doc ->> 'owner_id')::uuid
            FROM orleansstorage CROSS JOIN LATERAL jsonb(convert_from(payloadbinary, 'UTF8')) AS doc
            WHERE serviceid = @service AND graintypestring = 'copilotsession' AND payloadbinary IS NOT NULL
            """);
        command.Parameters.AddWithValue("service", LocalCluster.ServiceId);
        var sessions = new List<(Guid, Guid)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sessions.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }

        return sessions;
    }

    /// <summary>Every stored reply that left nothing (failed, or interrupted before its first text), by session and seq,
    /// with the question it answered: the replies a retry of that question may have replaced on the active path.</summary>
    private async Task<Dictionary<(Guid Session, long Seq), Guid>> RepliesLeavingNothingAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(cluster.Postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT session_id, (metadata ->> 'seq')::bigint, (metadata ->> 'parent_id')::uuid
            FROM copilot_messages
            WHERE role = 'assistant' AND metadata ->> 'parent_id' IS NOT NULL
              AND (metadata ->> 'status' = 'failed' OR (metadata ->> 'status' = 'interrupted' AND content = ''))
            """);
        var replies = new Dictionary<(Guid, long), Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            replies[(reader.GetGuid(0), reader.GetInt64(1))] = reader.GetGuid(2);
        }

        return replies;
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

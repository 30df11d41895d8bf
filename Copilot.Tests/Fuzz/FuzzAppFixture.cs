using System.Text;
using Copilot.Silo.Hosting;
using Copilot.Testing.Http;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Fuzz;

/// <summary>The app behind real Kestrel (so header limits, request body rates and HTTP parsing are the production
/// ones), with an admin secret, and the SQL checks of what a request stored.</summary>
public sealed class FuzzAppFixture : IAsyncLifetime
{
    /// <summary>The cron secret of the fuzzed app.</summary>
    public const string CronSecret = "fuzz-cron-secret-0123456789abcdef";

    private CopilotAppFactory _app = null!;

    /// <summary>A client that sends header bytes as given (Latin-1), with a timeout that marks a hang.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = new CopilotAppFactory(
            await TestDatabase.GetConnectionStringAsync(),
            settings: new Dictionary<string, string?>
            {
                ["Copilot:Admin:CronSecret"] = CronSecret,

                // Each case on an existing session waits until the list has stored that session's first turn.
                ["Copilot:Sessions:IndexFlushInterval"] = "00:00:00.020",
                ["Logging:LogLevel:Default"] = "None",
            });
        _app.UseKestrel(LoopbackPorts.FindFree());
        _app.StartServer();
        using var probe = _app.CreateClient();
        Http = new HttpClient(new SocketsHttpHandler
        {
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            BaseAddress = probe.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }

    /// <summary>Starts a session for <paramref name="userId"/> with a well-formed send and waits until everything the
    /// turn writes is stored.</summary>
    public async Task<Guid> StartSessionAsync(Guid userId)
    {
        var user = new CopilotClient(Http, userId);
        var sessionId = (await user.SendAsync("an existing session")).SessionId;

        // The user's list stores the turn's touch within its flush interval, after the reply ends; wait until the stored
        // row has it, so that its write is not blamed on the next request.
        await Eventually.HoldsAsync(async () => await StoredMessageCountAsync(userId, sessionId) == 2, "the first turn is stored in the list");
        return sessionId;
    }

    /// <summary>The message count the user's stored list row holds for <paramref name="sessionId"/> (0 when none).</summary>
    public async Task<long> StoredMessageCountAsync(Guid userId, Guid sessionId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT coalesce(max(message_count), 0) FROM copilot_user_sessions
            WHERE service_id = @service AND user_id = @user AND session_id = @session
            """);
        AddKeys(command, userId, sessionId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The count and summed versions of the user's list rows, the session's header row and its segment rows.</summary>
    public async Task<(long Count, long Versions)> KeyedRowsAsync(Guid userId, Guid sessionId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*), coalesce(sum(version), 0)::bigint FROM
            (
                SELECT version FROM orleansstorage
                WHERE serviceid = @service AND graintypestring IN ('copilotsession', 'copilotsegment')
                  AND grainidn0 = @s0 AND grainidn1 = @s1
                UNION ALL
                SELECT version FROM copilot_user_sessions WHERE service_id = @service AND user_id = @user
            ) AS keyed
            """);
        AddKeys(command, userId, sessionId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Rows of <paramref name="userId"/> (index, sessions, their segments and pages) written since <paramref name="since"/>.</summary>
    public async Task<long> RowsWrittenSinceAsync(Guid userId, DateTime since)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM copilot_user_sessions WHERE service_id = @service AND user_id = @user AND stored_at >= @since)
                 + count(*)
            FROM orleansstorage
            WHERE serviceid = @service AND modifiedon >= @since
              AND ((graintypestring = 'copilotsession'
                    AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'owner_id' = @user::text)
                OR (graintypestring IN ('copilotsegment', 'copilotsessionpage')
                    AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'session_id' IN
                        (SELECT convert_from(h.payloadbinary, 'UTF8')::jsonb ->> 'id' FROM orleansstorage h
                         WHERE h.serviceid = @service AND h.graintypestring = 'copilotsession' AND h.payloadbinary IS NOT NULL
                           AND convert_from(h.payloadbinary, 'UTF8')::jsonb ->> 'owner_id' = @user::text)))
            """);
        AddKeys(command, userId, Guid.Empty);
        command.Parameters.AddWithValue("since", since);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Decodes every payload this app stored as jsonb and reads each message's content as text, as the SQL views
    /// do: an accepted request must never store what PostgreSQL cannot decode (a U+0000 escape, for one). Only this
    /// app's rows: the whole database holds every test class's, and reading all of them after each route took minutes.</summary>
    public async Task AssertStoredRowsReadableAsync()
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(m ->> 'content')
            FROM orleansstorage s
            CROSS JOIN LATERAL jsonb(convert_from(s.payloadbinary, 'UTF8')) AS doc
            LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'messages') = 'array' THEN doc -> 'messages' END) AS m ON true
            WHERE s.serviceid = @service AND s.payloadbinary IS NOT NULL
            """);
        command.Parameters.AddWithValue("service", _app.ServiceId);

        // Throws (22P05, unsupported Unicode escape sequence) when any stored payload cannot be decoded.
        await command.ExecuteScalarAsync();
    }

    /// <summary>Sends <paramref name="request"/>, with <paramref name="sessionId"/> in place of the placeholder.</summary>
    public async Task<HttpResponseMessage> SendAsync(FuzzRequest request, Guid? sessionId)
    {
        var placeholder = FuzzInputs.ExistingSession;
        var session = (sessionId ?? Guid.NewGuid()).ToString();
        using var message = new HttpRequestMessage(
            request.Route.Method,
            (request.Route.Path + request.Query).Replace(placeholder, session, StringComparison.OrdinalIgnoreCase));
        if (request.Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", request.Authorization);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Body is not null)
        {
            var body = Replace(request.Body, Encoding.UTF8.GetBytes(placeholder), Encoding.UTF8.GetBytes(session));
            message.Content = request.Slow ? new SlowContent(body) : new ByteArrayContent(body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        return await Http.SendAsync(message);
    }

    /// <summary>Sends <paramref name="request"/> over a socket of its own, its body only until the answer arrives
    /// (<see cref="UnreadBody"/>).</summary>
    public async Task<EarlyAnswer> SendUnreadAsync(FuzzRequest request)
    {
        var headers = new List<KeyValuePair<string, string>>(request.Headers);
        if (request.Authorization is not null)
        {
            headers.Add(new("Authorization", request.Authorization));
        }

        if (request.ContentType is not null)
        {
            headers.Add(new("Content-Type", request.ContentType));
        }

        using var timeout = new CancellationTokenSource(Http.Timeout);
        return await UnreadBody.SendAsync(
            Http.BaseAddress!, request.Route.Method.Method, request.Route.Path + request.Query, headers, request.Body ?? [], timeout.Token);
    }

    private void AddKeys(Npgsql.NpgsqlCommand command, Guid userId, Guid sessionId)
    {
        var (s0, s1) = Sql.GuidHalves(sessionId);
        command.Parameters.AddWithValue("service", _app.ServiceId);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("s0", s0);
        command.Parameters.AddWithValue("s1", s1);
    }

    private static byte[] Replace(byte[] bytes, byte[] from, byte[] to)
    {
        var at = bytes.AsSpan().IndexOf(from);
        return at < 0 ? bytes : [.. bytes.AsSpan(0, at), .. to, .. Replace(bytes[(at + from.Length)..], from, to)];
    }
}

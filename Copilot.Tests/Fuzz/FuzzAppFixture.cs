using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Copilot.Tests.Fixtures;

namespace Copilot.Tests.Fuzz;

/// <summary>The app behind real Kestrel (so header limits, request body rates and HTTP parsing are the production
/// ones), with an admin secret, and the SQL checks of what a request stored.</summary>
public sealed class FuzzAppFixture : IAsyncLifetime
{
    /// <summary>The cron secret of the fuzzed app.</summary>
    public const string CronSecret = "fuzz-cron-secret";

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
                ["Logging:LogLevel:Default"] = "None",
            });
        _app.UseKestrel(FreePort.Next());
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

        // The user's list is updated after the reply ends; wait for it so that its write is not blamed on the next request.
        await Eventually.HoldsAsync(
            async () => (await user.ListSessionsAsync()) is [var listed]
                && listed.GetProperty("metadata").GetProperty("message_count").GetInt32() == 2,
            "the first turn is listed");
        return sessionId;
    }

    /// <summary>The count and summed versions of the user's index row and the session's header row.</summary>
    public async Task<(long Count, long Versions)> KeyedRowsAsync(Guid userId, Guid sessionId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*), coalesce(sum(version), 0)::bigint FROM orleansstorage
            WHERE serviceid = @service
              AND ((graintypestring = 'copilotusersessions' AND grainidn0 = @u0 AND grainidn1 = @u1)
                OR (graintypestring = 'copilotsession' AND grainidn0 = @s0 AND grainidn1 = @s1))
            """);
        AddKeys(command, userId, sessionId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Rows of <paramref name="userId"/> (index, sessions, pages of them) written since <paramref name="since"/>.</summary>
    public async Task<long> RowsWrittenSinceAsync(Guid userId, DateTime since)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*) FROM orleansstorage
            WHERE serviceid = @service AND modifiedon >= @since
              AND ((graintypestring = 'copilotusersessions' AND grainidn0 = @u0 AND grainidn1 = @u1)
                OR (graintypestring = 'copilotsession'
                    AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'owner_id' = @user::text))
            """);
        AddKeys(command, userId, Guid.Empty);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("user", userId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Reads every stored session and message through the SQL views, which decode each payload as jsonb:
    /// an accepted request must never store what PostgreSQL cannot decode (a U+0000 escape, for one).</summary>
    public static async Task AssertViewsReadableAsync()
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM copilot_sessions) + (SELECT count(*) FROM copilot_messages)");

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

    private void AddKeys(Npgsql.NpgsqlCommand command, Guid userId, Guid sessionId)
    {
        var (u0, u1) = Sql.GuidHalves(userId);
        var (s0, s1) = Sql.GuidHalves(sessionId);
        command.Parameters.AddWithValue("service", _app.ServiceId);
        command.Parameters.AddWithValue("u0", u0);
        command.Parameters.AddWithValue("u1", u1);
        command.Parameters.AddWithValue("s0", s0);
        command.Parameters.AddWithValue("s1", s1);
    }

    private static byte[] Replace(byte[] bytes, byte[] from, byte[] to)
    {
        var at = bytes.AsSpan().IndexOf(from);
        return at < 0 ? bytes : [.. bytes.AsSpan(0, at), .. to, .. Replace(bytes[(at + from.Length)..], from, to)];
    }
}

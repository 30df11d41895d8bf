using System.Text.Json;
using Npgsql;

namespace Copilot.Tests.Fixtures.Postgres;

/// <summary>Direct SQL reads of what Orleans stored, for checks the grains cannot make about themselves.</summary>
public static class Sql
{
    /// <summary>Runs a query with one <c>@id</c> parameter on the shared test database and returns the first column of
    /// every row.</summary>
    public static async Task<List<T>> ColumnAsync<T>(string sql, Guid id) =>
        await ColumnAsync<T>(await TestDatabase.GetDataSourceAsync(), sql, id);

    /// <summary>Runs <paramref name="sql"/> on <paramref name="dataSource"/> and returns its first value (null for a
    /// statement that returns none).</summary>
    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs a query with one <c>@id</c> parameter on <paramref name="dataSource"/> and returns the first column
    /// of every row.</summary>
    public static async Task<List<T>> ColumnAsync<T>(NpgsqlDataSource dataSource, string sql, Guid id)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    /// <summary>Payload sizes (bytes) of every storage row of a session: its header and its sealed pages.</summary>
    public static Task<List<int>> SessionRowSizesAsync(Guid sessionId) => ColumnAsync<int>(
        """
        SELECT octet_length(payloadbinary)
        FROM orleansstorage
        WHERE payloadbinary IS NOT NULL
          AND ((graintypestring = 'copilotsession'
                AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'id' = @id::text)
            OR (graintypestring = 'copilotsessionpage'
                AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'session_id' = @id::text))
        """,
        sessionId);

    /// <summary>Every storage row (payload or not) whose grain key is the session id: header and pages.</summary>
    public static async Task<long> SessionRowCountAsync(Guid sessionId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*) FROM orleansstorage
            WHERE graintypestring IN ('copilotsession', 'copilotsessionpage') AND grainidn0 = @n0 AND grainidn1 = @n1
            """);
        var (n0, n1) = GuidHalves(sessionId);
        command.Parameters.AddWithValue("n0", n0);
        command.Parameters.AddWithValue("n1", n1);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The stored version of the session's header row: how many times it was written (1 after its first
    /// write), or null when there is none.</summary>
    public static async Task<int?> HeaderVersionAsync(Guid sessionId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT version FROM orleansstorage
            WHERE graintypestring = 'copilotsession' AND grainidn0 = @n0 AND grainidn1 = @n1
            """);
        var (n0, n1) = GuidHalves(sessionId);
        command.Parameters.AddWithValue("n0", n0);
        command.Parameters.AddWithValue("n1", n1);
        return await command.ExecuteScalarAsync() is int version ? version : null;
    }

    /// <summary>Segment rows with a payload whose grain key is the session id.</summary>
    public static async Task<long> SegmentRowCountAsync(Guid sessionId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(*) FROM orleansstorage
            WHERE graintypestring = 'copilotsegment' AND payloadbinary IS NOT NULL AND grainidn0 = @n0 AND grainidn1 = @n1
            """);
        var (n0, n1) = GuidHalves(sessionId);
        command.Parameters.AddWithValue("n0", n0);
        command.Parameters.AddWithValue("n1", n1);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The stored rows of a user's session list (<c>copilot_user_sessions</c>) by session id: title, message count
    /// and how many times the row was written.</summary>
    public static async Task<Dictionary<Guid, UserSessionRow>> UserSessionRowsAsync(Guid userId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using var command = dataSource.CreateCommand(
            "SELECT session_id, title, message_count, version FROM copilot_user_sessions WHERE user_id = @user");
        command.Parameters.AddWithValue("user", userId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, UserSessionRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetGuid(0), new UserSessionRow(reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3)));
        }

        return rows;
    }

    /// <summary>The two 64-bit halves Orleans stores a GUID key as (grainidn0, grainidn1).</summary>
    public static (long N0, long N1) GuidHalves(Guid id)
    {
        var bytes = id.ToByteArray();
        return (BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8));
    }

    /// <summary>Writes a segment row of <paramref name="session"/> (of the service <paramref name="serviceId"/>) holding
    /// one user message through the storage function Orleans calls, under a grain key no session uses (the message id),
    /// in <paramref name="connection"/>'s transaction, if any.</summary>
    public static async Task WriteSegmentAsync(
        NpgsqlConnection connection, string serviceId, Guid session, long segmentNumber, Guid messageId, string text)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            session_id = session,
            segment_number = segmentNumber,
            messages = new[] { new { id = messageId, seq = 99, role = "user", content = text, created_at = DateTimeOffset.UtcNow, status = "complete" } },
            forks = Array.Empty<object>(),
        });
        await using var command = new NpgsqlCommand(
            "SELECT orleans_storage_write(7, @n0, @n1, 7, 'copilotsegment', 'probe', @service, NULL, @payload)", connection);
        var (n0, n1) = GuidHalves(messageId);
        command.Parameters.AddWithValue("n0", n0);
        command.Parameters.AddWithValue("n1", n1);
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteScalarAsync();
    }
}

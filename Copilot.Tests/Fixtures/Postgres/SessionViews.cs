using System.Text.Json;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Npgsql;

namespace Copilot.Tests.Fixtures.Postgres;

/// <summary>Checks that the seed-shaped SQL views (<c>copilot_sessions</c>, <c>copilot_messages</c>) show exactly what a
/// session grain returns.</summary>
public static class SessionViews
{
    /// <summary>Asserts both views agree with <paramref name="grain"/> for its owner <paramref name="user"/>.</summary>
    public static async Task AssertMatchGrainAsync(NpgsqlDataSource dataSource, ISessionGrain grain, Guid user)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(grain);
        var sessionId = grain.GetPrimaryKey();
        var info = (await grain.GetInfoAsync(user))!;
        var messages = (await grain.GetAllMessagesAsync(user))!;

        await using (var command = dataSource.CreateCommand(
            "SELECT user_id, created_at, updated_at, metadata::text, is_active FROM copilot_sessions WHERE id = @id"))
        {
            command.Parameters.AddWithValue("id", sessionId);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(user, reader.GetGuid(0));
            AssertSameInstant(info.CreatedAt, reader.GetFieldValue<DateTimeOffset>(1));
            AssertSameInstant(info.UpdatedAt, reader.GetFieldValue<DateTimeOffset>(2));
            Assert.Equal(
                $$"""{"role": "{{info.Role.ToWireName()}}", "title": "{{info.Title.Replace("\"", "\\\"")}}", "message_count": {{info.MessageCount}}}""",
                reader.GetString(3));
            Assert.True(reader.GetBoolean(4));
            Assert.False(await reader.ReadAsync());
        }

        var rows = new List<(Guid Id, Guid SessionId, string Role, string Content, DateTimeOffset CreatedAt, string Metadata)>();
        await using (var command = dataSource.CreateCommand(
            """
            SELECT id, session_id, role, content, created_at, metadata::text
            FROM copilot_messages WHERE session_id = @id ORDER BY (metadata ->> 'seq')::bigint
            """))
        {
            command.Parameters.AddWithValue("id", sessionId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)));
            }
        }

        Assert.Equal(messages.Count, rows.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var (message, row) = (messages[i], rows[i]);
            Assert.Equal(message.Id, row.Id);
            Assert.Equal(sessionId, row.SessionId);
            Assert.Equal(message.Role.ToString().ToLowerInvariant(), row.Role);
            Assert.Equal(message.Content, row.Content);
            AssertSameInstant(message.CreatedAt, row.CreatedAt);
            Assert.Equal(ExpectedMetadata(message), Fields(row.Metadata));
        }
    }

    /// <summary>PostgreSQL keeps microseconds; .NET keeps 100 ns ticks.</summary>
    public static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.True((expected - actual).Duration() <= TimeSpan.FromMicroseconds(1), $"{expected:O} != {actual:O}");

    private static SortedDictionary<string, string> ExpectedMetadata(SessionMessage message)
    {
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["seq"] = message.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["status"] = message.Status.ToString().ToLowerInvariant(),
        };
        Add(expected, "model", message.Metadata.Model);
        Add(expected, "input_tokens", message.Metadata.InputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(expected, "output_tokens", message.Metadata.OutputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(expected, "error_code", message.Metadata.ErrorCode);
        Add(expected, "usage_estimated", message.Metadata.UsageEstimated is true ? "true" : null);
        Add(expected, "client_message_id", message.Metadata.ClientMessageId);
        Add(expected, "parent_id", message.ParentId is { } parent && parent != Guid.Empty ? parent.ToString() : null);
        return expected;
    }

    private static void Add(SortedDictionary<string, string> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields[name] = value;
        }
    }

    private static SortedDictionary<string, string> Fields(string json)
    {
        using var document = JsonDocument.Parse(json);
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return fields;
    }
}

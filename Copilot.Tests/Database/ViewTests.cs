using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures;
using Npgsql;

namespace Copilot.Tests.Database;

[Collection(ClusterCollection.Name)]
public sealed class ViewTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_sql_views_return_exactly_what_the_grains_return()
    {
        var user = Guid.NewGuid();
        var sessionIds = new[] { Guid.NewGuid(), Guid.NewGuid() };
        for (var s = 0; s < sessionIds.Length; s++)
        {
            var grain = fixture.Client.GetGrain<ISessionGrain>(sessionIds[s]);
            await grain.CreateAsync(user, s == 0 ? PersonaRole.Field : PersonaRole.Pm);
            var count = s == 0 ? 130 : 3; // the first spans sealed pages
            for (var i = 0; i < count; i++)
            {
                await grain.AppendAsync(user, [
                    new NewMessage(i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, $"s{s} m{i} ünïcødé \"quoted\"")
                    {
                        Status = i == 1 ? MessageStatus.Failed : MessageStatus.Complete,
                        Metadata = i == 1 ? new MessageMetadata { Model = "m", ErrorCode = "model_unavailable" } : MessageMetadata.None,
                    },
                ]);
            }
        }

        var dataSource = await TestDatabase.GetDataSourceAsync();
        foreach (var sessionId in sessionIds)
        {
            var grain = fixture.Client.GetGrain<ISessionGrain>(sessionId);
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
                var expectedMetadata = message.Status == MessageStatus.Failed
                    ? $$"""{"seq": {{message.Seq}}, "model": "m", "status": "failed", "error_code": "model_unavailable"}"""
                    : $$"""{"seq": {{message.Seq}}, "status": "complete"}""";
                Assert.Equal(expectedMetadata, row.Metadata);
            }
        }
    }

    /// <summary>PostgreSQL keeps microseconds; .NET keeps 100 ns ticks.</summary>
    private static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.True((expected - actual).Duration() <= TimeSpan.FromMicroseconds(1), $"{expected:O} != {actual:O}");
}

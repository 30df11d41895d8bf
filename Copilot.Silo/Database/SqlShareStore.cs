using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Npgsql;
using NpgsqlTypes;

namespace Copilot.Silo.Database;

/// <summary><see cref="IShareStore"/> on the <c>copilot_shares</c> table (<c>sql/0011</c>). Snapshots are the stored
/// message format (<see cref="CopilotStorage.JsonOptions"/>), so a share reads as the history it was taken from.</summary>
internal sealed class SqlShareStore(CopilotDatabase database) : IShareStore
{
    /// <summary>The lock space of an owner's share lock: their share creations run one at a time.</summary>
    private const int OwnerLockSpace = 23;

    public async Task<bool> CreateAsync(SharedConversation share, int maxPerUser, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(share);

        // Under the owner's share lock, taken in a statement of its own: in READ COMMITTED the insert's count then sees
        // every share of theirs committed before it, so two sessions sharing at once cannot both take the last place.
        return await database.UnderUserLockAsync(share.OwnerId, OwnerLockSpace, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO copilot_shares (id, session_id, user_id, created_at, expires_at, title, persona, snapshot)
                SELECT @id, @session, @user, @createdAt, @expiresAt, @title, @persona, @snapshot
                WHERE (SELECT count(*) FROM copilot_shares WHERE user_id = @user AND expires_at > @createdAt) < @max
                """, connection, transaction);
            command.Parameters.AddWithValue("max", (long)maxPerUser);
            command.Parameters.AddWithValue("id", share.Id);
            command.Parameters.AddWithValue("session", share.SessionId);
            command.Parameters.AddWithValue("user", share.OwnerId);
            command.Parameters.AddWithValue("createdAt", share.CreatedAt);
            command.Parameters.AddWithValue("expiresAt", share.ExpiresAt);
            command.Parameters.AddWithValue("title", share.Title);
            command.Parameters.AddWithValue("persona", share.Persona.ToWireName());
            command.Parameters.AddWithValue("snapshot", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(share.Messages, CopilotStorage.JsonOptions));
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
    }

    public async Task<SharedConversation?> FindAsync(string id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT id, session_id, user_id, created_at, expires_at, title, persona, snapshot::text
            FROM copilot_shares WHERE id = @id AND expires_at > @now
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        Personas.TryParse(reader.GetString(6), out var persona);
        return new SharedConversation(
            reader.GetString(0),
            reader.GetGuid(1),
            reader.GetGuid(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetString(5),
            persona ?? Personas.Default,
            JsonSerializer.Deserialize<List<SessionMessage>>(reader.GetString(7), CopilotStorage.JsonOptions) ?? []);
    }

    public async Task<IReadOnlyList<ShareInfo>> ListAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT id, created_at, expires_at, jsonb_array_length(snapshot)
            FROM copilot_shares WHERE session_id = @session AND expires_at > @now
            ORDER BY created_at DESC, id
            """);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("now", now);
        var shares = new List<ShareInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            shares.Add(new ShareInfo(
                reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3)));
        }

        return shares;
    }

    public async Task<bool> DeleteAsync(Guid sessionId, string id, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM copilot_shares WHERE session_id = @session AND id = @id");
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public Task DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM copilot_shares WHERE session_id = @value", sessionId, cancellationToken);

    public Task<int> DeleteUserAsync(Guid userId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM copilot_shares WHERE user_id = @value", userId, cancellationToken);

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM copilot_shares WHERE expires_at <= @value", now, cancellationToken);

    private async Task<int> ExecuteAsync<T>(string sql, T value, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("value", value!);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

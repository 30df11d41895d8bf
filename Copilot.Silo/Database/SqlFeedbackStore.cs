using System.Runtime.CompilerServices;
using Copilot.Grains.Feedback;
using Copilot.Grains.Personas;
using Npgsql;

namespace Copilot.Silo.Database;

/// <summary><see cref="IFeedbackStore"/> on the <c>copilot_feedback</c> table (<c>sql/0011</c>).</summary>
internal sealed class SqlFeedbackStore(CopilotDatabase database) : IFeedbackStore
{
    private const string Columns = "session_id, message_id, user_id, persona, model, rating, reason, comment, reply, question, updated_at";

    public async Task SetAsync(RatedReply rated, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rated);
        await using var command = database.DataSource.CreateCommand(
            $"""
            INSERT INTO copilot_feedback ({Columns})
            VALUES (@session, @message, @user, @persona, @model, @rating, @reason, @comment, @reply, @question, @updatedAt)
            ON CONFLICT (session_id, message_id) DO UPDATE SET
                rating = excluded.rating, reason = excluded.reason, comment = excluded.comment, updated_at = excluded.updated_at
            """);
        var feedback = rated.Feedback;
        command.Parameters.AddWithValue("session", rated.SessionId);
        command.Parameters.AddWithValue("message", rated.MessageId);
        command.Parameters.AddWithValue("user", rated.UserId);
        command.Parameters.AddWithValue("persona", rated.Persona.ToWireName());
        command.Parameters.AddWithValue("model", (object?)rated.Model ?? DBNull.Value);
        command.Parameters.AddWithValue("rating", feedback.Rating.ToWireName());
        command.Parameters.AddWithValue("reason", (object?)feedback.Reason?.ToWireName() ?? DBNull.Value);
        command.Parameters.AddWithValue("comment", (object?)feedback.Comment ?? DBNull.Value);
        command.Parameters.AddWithValue("reply", rated.Reply);
        command.Parameters.AddWithValue("question", (object?)rated.Question ?? DBNull.Value);
        command.Parameters.AddWithValue("updatedAt", feedback.UpdatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> ClearAsync(Guid sessionId, Guid messageId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand(
            "DELETE FROM copilot_feedback WHERE session_id = @session AND message_id = @message");
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("message", messageId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<Dictionary<Guid, MessageFeedback>> ForSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<Guid, MessageFeedback>();
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM copilot_feedback WHERE session_id = @session");
        command.Parameters.AddWithValue("session", sessionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var rated = Read(reader);
            found[rated.MessageId] = rated.Feedback;
        }

        return found;
    }

    public async IAsyncEnumerable<RatedReply> ListAsync(
        DateTimeOffset since, DateTimeOffset until, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand(
            $"SELECT {Columns} FROM copilot_feedback WHERE updated_at >= @since AND updated_at < @until ORDER BY updated_at, session_id, message_id");
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("until", until);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    public async Task DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM copilot_feedback WHERE session_id = @session");
        command.Parameters.AddWithValue("session", sessionId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> DeleteUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM copilot_feedback WHERE user_id = @user");
        command.Parameters.AddWithValue("user", userId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static RatedReply Read(NpgsqlDataReader reader)
    {
        Personas.TryParse(reader.GetString(3), out var persona);
        FeedbackNames.TryParseRating(reader.GetString(5), out var rating);
        FeedbackNames.TryParseReason(reader.IsDBNull(6) ? null : reader.GetString(6), out var reason);
        var feedback = new MessageFeedback
        {
            Rating = rating ?? FeedbackRating.Down,
            Reason = reason,
            Comment = reader.IsDBNull(7) ? null : reader.GetString(7),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(10),
        };
        return new RatedReply(
            reader.GetGuid(0),
            reader.GetGuid(1),
            reader.GetGuid(2),
            persona ?? Personas.Default,
            reader.IsDBNull(4) ? null : reader.GetString(4),
            feedback,
            reader.GetString(8),
            reader.IsDBNull(9) ? null : reader.GetString(9));
    }
}

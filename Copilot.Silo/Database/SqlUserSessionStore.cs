using Copilot.Grains.Personas;
using Copilot.Grains.Users;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Copilot.Silo.Database;

/// <summary><see cref="IUserSessionStore"/> on <c>copilot_user_sessions</c> (<c>sql/0012_copilot_user_sessions.sql</c>),
/// through the service's one data source: a write is one statement, so it is one transaction.</summary>
/// <remarks>PostgreSQL keeps microseconds, .NET 100-nanosecond ticks: the ticks below the microsecond are stored beside
/// each time, so that a list read back orders, pages and compares exactly as the one written.</remarks>
internal sealed class SqlUserSessionStore(CopilotDatabase database, IOptions<ClusterOptions> cluster) : IUserSessionStore
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    public async Task<List<SessionSummary>> ReadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT session_id, title, role, created_at, created_at_ticks, updated_at, updated_at_ticks, message_count
            FROM copilot_user_sessions
            WHERE service_id = @service AND user_id = @user
            """);
        command.Parameters.AddWithValue("service", cluster.Value.ServiceId);
        command.Parameters.AddWithValue("user", userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sessions = new List<SessionSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var role = reader.GetString(2);
            sessions.Add(new SessionSummary
            {
                Id = reader.GetGuid(0),
                Title = reader.GetString(1),
                Role = Personas.TryParse(role, out var parsed)
                    ? parsed.Value
                    : throw new InvalidOperationException($"copilot_user_sessions holds an unknown persona '{role}'."),
                CreatedAt = Time(reader.GetDateTime(3), reader.GetInt16(4)),
                UpdatedAt = Time(reader.GetDateTime(5), reader.GetInt16(6)),
                MessageCount = reader.GetInt64(7),
            });
        }

        return sessions;
    }

    public async Task WriteAsync(
        Guid userId,
        IReadOnlyCollection<SessionSummary> changed,
        IReadOnlyCollection<Guid> removed,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(removed);
        await using var command = database.DataSource.CreateCommand(
            """
            WITH removed AS
            (
                DELETE FROM copilot_user_sessions
                WHERE service_id = @service AND user_id = @user AND session_id = ANY(@removed)
            )
            INSERT INTO copilot_user_sessions AS s
                (service_id, user_id, session_id, title, role, created_at, created_at_ticks, updated_at, updated_at_ticks,
                 message_count)
            SELECT @service, @user, c.*
            FROM unnest(@ids, @titles, @roles, @created, @createdTicks, @updated, @updatedTicks, @counts)
                AS c(session_id, title, role, created_at, created_at_ticks, updated_at, updated_at_ticks, message_count)
            ON CONFLICT (service_id, user_id, session_id) DO UPDATE
            SET title = excluded.title,
                role = excluded.role,
                created_at = excluded.created_at,
                created_at_ticks = excluded.created_at_ticks,
                updated_at = excluded.updated_at,
                updated_at_ticks = excluded.updated_at_ticks,
                message_count = excluded.message_count,
                version = s.version + 1,
                stored_at = now()
            """);
        command.Parameters.AddWithValue("service", cluster.Value.ServiceId);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("removed", removed.ToArray());
        command.Parameters.AddWithValue("ids", changed.Select(s => s.Id).ToArray());
        command.Parameters.AddWithValue("titles", changed.Select(s => s.Title).ToArray());
        command.Parameters.AddWithValue("roles", changed.Select(s => s.Role.ToWireName()).ToArray());
        command.Parameters.AddWithValue("created", changed.Select(s => Microseconds(s.CreatedAt)).ToArray());
        command.Parameters.AddWithValue("createdTicks", changed.Select(s => BelowMicrosecond(s.CreatedAt)).ToArray());
        command.Parameters.AddWithValue("updated", changed.Select(s => Microseconds(s.UpdatedAt)).ToArray());
        command.Parameters.AddWithValue("updatedTicks", changed.Select(s => BelowMicrosecond(s.UpdatedAt)).ToArray());
        command.Parameters.AddWithValue("counts", changed.Select(s => s.MessageCount).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTime Microseconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TicksPerMicrosecond), DateTimeKind.Utc);

    private static short BelowMicrosecond(DateTimeOffset time) => (short)(time.UtcTicks % TicksPerMicrosecond);

    private static DateTimeOffset Time(DateTime microseconds, short ticks) =>
        new(DateTime.SpecifyKind(microseconds, DateTimeKind.Utc).AddTicks(ticks));
}

using System.Data;
using Copilot.Grains.Files;
using Npgsql;
using NpgsqlTypes;

namespace Copilot.Silo.Database;

/// <summary><see cref="IFileStore"/> on <c>copilot_files</c> and <c>copilot_file_refs</c> (<c>sql/0009_copilot_files.sql</c>),
/// through the service's one data source.</summary>
internal sealed class SqlFileStore(CopilotDatabase database, TimeProvider time) : IFileStore
{
    private const string Columns = "id, owner_id, media_type, size_bytes, width, height, content_hash, created_at, captured_at";

    /// <summary>Deletes the owner's files that no session refers to and that were stored before <c>@cutoff</c>: uploaded
    /// and never sent, or left by a send that failed. Run under the owner's lock.</summary>
    private const string DeleteUnsentSql = """
        DELETE FROM copilot_files f
        WHERE f.owner_id = @owner AND f.created_at < @cutoff
          AND NOT EXISTS (SELECT 1 FROM copilot_file_refs r WHERE r.file_id = f.id)
        """;

    public async Task<(StoredFile File, bool Created)> AddAsync(
        Guid ownerId, NewFile file, long quotaBytes, TimeSpan unsentLifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);

        // One upload at a time per owner, so the same bytes sent twice at once are stored once and the quota holds. The
        // unsent images it deletes first stay deleted whatever the upload's outcome (null: over the quota).
        var (stored, created) = await UnderOwnerLockAsync<(StoredFile?, bool)>(ownerId, async (connection, transaction) =>
        {
            // Images uploaded and never sent go once they are old enough: under the owner's lock, which every attach
            // takes too, so none is deleted between a send's check and its reference.
            await using (var unsent = new NpgsqlCommand(DeleteUnsentSql, connection, transaction))
            {
                unsent.Parameters.AddWithValue("owner", ownerId);
                unsent.Parameters.AddWithValue("cutoff", time.GetUtcNow() - unsentLifetime);
                await unsent.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var existing = new NpgsqlCommand(
                $"SELECT {Columns} FROM copilot_files WHERE owner_id = @owner AND content_hash = @hash", connection, transaction))
            {
                existing.Parameters.AddWithValue("owner", ownerId);
                existing.Parameters.AddWithValue("hash", file.ContentHash);
                if (await ReadOneAsync(existing, cancellationToken) is { } found)
                {
                    return (found, false);
                }
            }

            await using (var used = new NpgsqlCommand(
                "SELECT coalesce(sum(size_bytes + octet_length(thumbnail)), 0)::bigint FROM copilot_files WHERE owner_id = @owner",
                connection, transaction))
            {
                used.Parameters.AddWithValue("owner", ownerId);
                if ((long)(await used.ExecuteScalarAsync(cancellationToken))! + file.Bytes.Length + file.Thumbnail.Length > quotaBytes)
                {
                    return (null, false);
                }
            }

            var added = new StoredFile(
                Guid.CreateVersion7(), ownerId, file.MediaType, file.Bytes.Length, file.Width, file.Height, file.ContentHash,
                time.GetUtcNow(), file.CapturedAt);
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO copilot_files (id, owner_id, content_hash, media_type, size_bytes, width, height, bytes, thumbnail,
                                           thumbnail_media_type, captured_at, created_at)
                VALUES (@id, @owner, @hash, @type, @size, @width, @height, @bytes, @thumbnail, @thumbnailType, @captured, @created)
                """, connection, transaction);
            insert.Parameters.AddWithValue("id", added.Id);
            insert.Parameters.AddWithValue("owner", ownerId);
            insert.Parameters.AddWithValue("hash", file.ContentHash);
            insert.Parameters.AddWithValue("type", file.MediaType);
            insert.Parameters.AddWithValue("size", file.Bytes.Length);
            insert.Parameters.AddWithValue("width", file.Width);
            insert.Parameters.AddWithValue("height", file.Height);
            insert.Parameters.AddWithValue("bytes", NpgsqlDbType.Bytea, file.Bytes);
            insert.Parameters.AddWithValue("thumbnail", NpgsqlDbType.Bytea, file.Thumbnail);
            insert.Parameters.AddWithValue("thumbnailType", file.ThumbnailMediaType);
            insert.Parameters.AddWithValue("captured", (object?)file.CapturedAt ?? DBNull.Value);
            insert.Parameters.AddWithValue("created", added.CreatedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return (added, true);
        }, cancellationToken);
        return stored is null ? throw new FileQuotaExceededException(quotaBytes) : (stored, created);
    }

    public async Task<StoredFile?> FindAsync(Guid ownerId, Guid fileId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM copilot_files WHERE id = @id AND owner_id = @owner");
        command.Parameters.AddWithValue("id", fileId);
        command.Parameters.AddWithValue("owner", ownerId);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<StoredFile>> ListAsync(Guid ownerId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM copilot_files WHERE owner_id = @owner ORDER BY created_at, id");
        command.Parameters.AddWithValue("owner", ownerId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var files = new List<StoredFile>();
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add(Read(reader));
        }

        return files;
    }

    public async Task<byte[]?> ReadBytesAsync(Guid ownerId, Guid fileId, CancellationToken cancellationToken = default)
    {
        await using var command = database.DataSource.CreateCommand("SELECT bytes FROM copilot_files WHERE id = @id AND owner_id = @owner");
        command.Parameters.AddWithValue("id", fileId);
        command.Parameters.AddWithValue("owner", ownerId);

        // Not ExecuteScalarAsync: it reads a value larger than its buffer (a photo) with a synchronous socket read,
        // which holds a thread-pool thread meanwhile, and deadlocks a process that runs socket completions inline.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? await reader.GetFieldValueAsync<byte[]>(0, cancellationToken) : null;
    }

    public async Task<bool> OpenAsync(
        Guid fileId, bool thumbnail, Func<StoredFile, string, Stream, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var content = thumbnail ? "thumbnail_media_type, thumbnail" : "media_type, bytes";
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns}, {content} FROM copilot_files WHERE id = @id");
        command.Parameters.AddWithValue("id", fileId);

        // Sequential access streams the bytes column from the socket instead of buffering the row.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        var file = Read(reader);
        var mediaType = reader.GetString(9);
        await using var bytes = await reader.GetStreamAsync(10, cancellationToken);
        await write(file, mediaType, bytes);
        return true;
    }

    public async Task<IReadOnlyList<Guid>> AttachAsync(Guid ownerId, Guid sessionId, IReadOnlyCollection<Guid> fileIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        if (fileIds.Count == 0)
        {
            return [];
        }

        var ids = fileIds.Distinct().ToArray();
        return await UnderOwnerLockAsync<IReadOnlyList<Guid>>(ownerId, async (connection, transaction) =>
        {
            // The send checked its files before this lock; a deletion that took it first may have removed one since. Under
            // the lock nothing is deleted, so the files found here are still there when the references are inserted.
            await using (var found = new NpgsqlCommand(
                "SELECT count(*) FROM copilot_files WHERE id = ANY(@ids) AND owner_id = @owner", connection, transaction))
            {
                found.Parameters.AddWithValue("ids", ids);
                found.Parameters.AddWithValue("owner", ownerId);
                if ((long)(await found.ExecuteScalarAsync(cancellationToken))! < ids.Length)
                {
                    throw new FileGoneException();
                }
            }

            var added = new List<Guid>();
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO copilot_file_refs (file_id, session_id, owner_id)
                SELECT f.id, @session, @owner FROM copilot_files f WHERE f.id = ANY(@ids) AND f.owner_id = @owner
                ON CONFLICT DO NOTHING
                RETURNING file_id
                """, connection, transaction);
            command.Parameters.AddWithValue("session", sessionId);
            command.Parameters.AddWithValue("owner", ownerId);
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                added.Add(reader.GetGuid(0));
            }

            return added;
        }, cancellationToken);
    }

    public Task<int> DetachAsync(
        Guid ownerId, Guid sessionId, IReadOnlyCollection<Guid> attached, IReadOnlyCollection<Guid> created, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attached);
        ArgumentNullException.ThrowIfNull(created);

        // The released references are deleted whether or not the rest reads them (PostgreSQL runs a data-modifying WITH
        // to completion), but the rest does not see them go, so it leaves them out itself.
        return ExecuteUnderOwnerLockAsync(
            ownerId,
            """
            WITH released AS (
                DELETE FROM copilot_file_refs WHERE session_id = @session AND owner_id = @owner AND file_id = ANY(@attached)
                RETURNING file_id
            )
            DELETE FROM copilot_files f
            WHERE f.owner_id = @owner AND f.id = ANY(@created)
              AND NOT EXISTS (SELECT 1 FROM copilot_file_refs o
                              WHERE o.file_id = f.id AND NOT (o.session_id = @session AND o.file_id = ANY(@attached)))
            """,
            parameters =>
            {
                parameters.AddWithValue("session", sessionId);
                parameters.AddWithValue("attached", attached.ToArray());
                parameters.AddWithValue("created", created.ToArray());
            },
            cancellationToken);
    }

    public Task<int> ReleaseSessionAsync(Guid ownerId, Guid sessionId, CancellationToken cancellationToken = default) =>
        ExecuteUnderOwnerLockAsync(
            ownerId,
            """
            WITH released AS (
                DELETE FROM copilot_file_refs WHERE session_id = @session AND owner_id = @owner RETURNING file_id
            )
            DELETE FROM copilot_files f
            USING released r
            WHERE f.id = r.file_id
              AND NOT EXISTS (SELECT 1 FROM copilot_file_refs o WHERE o.file_id = f.id AND o.session_id <> @session)
            """,
            parameters => parameters.AddWithValue("session", sessionId),
            cancellationToken);

    public Task<int> DeleteOwnerAsync(Guid ownerId, CancellationToken cancellationToken = default) =>
        ExecuteUnderOwnerLockAsync(ownerId, "DELETE FROM copilot_files WHERE owner_id = @owner", _ => { }, cancellationToken);

    public async Task<int> DeleteUnsentAsync(TimeSpan unsentLifetime, CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow() - unsentLifetime;
        var owners = new List<Guid>();
        await using (var command = database.DataSource.CreateCommand(
            """
            SELECT DISTINCT f.owner_id FROM copilot_files f
            WHERE f.created_at < @cutoff AND NOT EXISTS (SELECT 1 FROM copilot_file_refs r WHERE r.file_id = f.id)
            """))
        {
            command.Parameters.AddWithValue("cutoff", cutoff);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                owners.Add(reader.GetGuid(0));
            }
        }

        // Each owner's files are checked again under that owner's lock, since a send may be attaching one right now; one
        // owner at a time, since a transaction holding several owners' locks could wait in a cycle with their sends.
        var deleted = 0;
        foreach (var ownerId in owners)
        {
            deleted += await ExecuteUnderOwnerLockAsync(
                ownerId, DeleteUnsentSql, parameters => parameters.AddWithValue("cutoff", cutoff), cancellationToken);
        }

        return deleted;
    }

    /// <summary>Runs <paramref name="sql"/> (with <c>@owner</c> and the <paramref name="parameters"/>) under the owner's
    /// lock, as <see cref="UnderOwnerLockAsync{T}"/>; returns the rows it changed.</summary>
    private Task<int> ExecuteUnderOwnerLockAsync(
        Guid ownerId, string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken) =>
        UnderOwnerLockAsync(ownerId, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("owner", ownerId);
            parameters(command.Parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>The lock space of an owner's file lock: uploads, attaches and deletions of one owner's files run one at a
    /// time.</summary>
    private const int OwnerLockSpace = 19;

    /// <summary>Runs <paramref name="work"/> in a transaction that first takes the owner's lock, and commits it.</summary>
    /// <remarks>Every statement that adds or deletes an owner's files or references runs this way: in READ COMMITTED
    /// each statement sees what committed before it started, so a deletion's <c>NOT EXISTS</c> that ran beside an attach
    /// would miss the reference being added and delete the file under it. Each transaction takes one owner's lock only, touches only that owner's rows, and neither
    /// calls a grain nor opens another connection while it holds the lock, so none waits in a cycle.</remarks>
    private Task<T> UnderOwnerLockAsync<T>(
        Guid ownerId, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        database.UnderUserLockAsync(ownerId, OwnerLockSpace, work, cancellationToken);

    private static async Task<StoredFile?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static StoredFile Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
        reader.GetString(2),
        reader.GetInt32(3),
        reader.GetInt32(4),
        reader.GetInt32(5),
        reader.GetString(6),
        reader.GetFieldValue<DateTimeOffset>(7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8));
}

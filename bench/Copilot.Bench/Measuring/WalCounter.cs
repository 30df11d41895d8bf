using Npgsql;

namespace Copilot.Bench.Measuring;

/// <summary>Bytes PostgreSQL has written to its write-ahead log, from its own counter (<c>pg_current_wal_lsn()</c>),
/// and how many of them were full-page images, from its own WAL (<c>pg_walinspect</c>) when that can be read.</summary>
/// <remarks>The WAL is server-wide, so a difference also counts whatever else wrote meanwhile (Orleans' membership
/// heartbeat, autovacuum). Measured over many operations that noise is small; it is never subtracted. A full-page image
/// is the whole 8 KiB page PostgreSQL logs at the first change to a page after each checkpoint: it depends on when the
/// last checkpoint was, not on the operation, so it is reported apart.</remarks>
internal sealed class WalCounter
{
    private const string Extension = "pg_walinspect";

    private readonly NpgsqlDataSource _database;

    private WalCounter(NpgsqlDataSource database, bool canInspect, bool createdExtension)
    {
        _database = database;
        CanInspect = canInspect;
        CreatedExtension = createdExtension;
    }

    /// <summary>Whether full-page images can be counted (<c>pg_walinspect</c> is installed and readable).</summary>
    public bool CanInspect { get; }

    private bool CreatedExtension { get; }

    /// <summary>A counter on <paramref name="database"/>; installs <c>pg_walinspect</c> when allowed (superuser).</summary>
    public static async Task<WalCounter> CreateAsync(NpgsqlDataSource database)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var exists = database.CreateCommand($"SELECT count(*) FROM pg_extension WHERE extname = '{Extension}'");
        var existed = (long)(await exists.ExecuteScalarAsync())! > 0;
        try
        {
            await using var create = database.CreateCommand($"CREATE EXTENSION IF NOT EXISTS {Extension}");
            await create.ExecuteNonQueryAsync();
            return new WalCounter(database, canInspect: true, createdExtension: !existed);
        }
        catch (PostgresException)
        {
            // Not installed on this server, or not allowed: total bytes only.
            return new WalCounter(database, canInspect: false, createdExtension: false);
        }
    }

    /// <summary>The current WAL position, as bytes since the start of the log (<c>pg_wal_lsn_diff</c> against 0/0).</summary>
    public async Task<long> PositionAsync()
    {
        await using var command = _database.CreateCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Bytes of full-page images in the WAL between two positions, or null when the WAL cannot be read.</summary>
    public async Task<long?> FullPageImageBytesAsync(long from, long to)
    {
        if (!CanInspect || to <= from)
        {
            return CanInspect ? 0 : null;
        }

        await using var command = _database.CreateCommand(
            $"SELECT coalesce(sum(fpi_size), 0)::bigint FROM pg_get_wal_stats('0/0'::pg_lsn + @from::numeric, '0/0'::pg_lsn + @to::numeric)");
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        try
        {
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException)
        {
            return null;
        }
    }

    /// <summary>The WAL between two positions by relation (its first block's, else none) and resource manager, largest
    /// first; empty when the WAL cannot be read.</summary>
    public async Task<IReadOnlyList<WalShare>> BreakdownAsync(long from, long to)
    {
        var shares = new List<WalShare>();
        if (!CanInspect || to <= from)
        {
            return shares;
        }

        await using var command = _database.CreateCommand(
            """
            SELECT coalesce(pg_filenode_relation(0, substring(block_ref from 'rel \d+/\d+/(\d+)')::oid)::text, '-'),
                   resource_manager, count(*), sum(record_length - fpi_length)::bigint, sum(fpi_length)::bigint
            FROM pg_get_wal_records_info('0/0'::pg_lsn + @from::numeric, '0/0'::pg_lsn + @to::numeric)
            GROUP BY 1, 2
            ORDER BY sum(record_length) DESC
            """);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                shares.Add(new WalShare(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }
        catch (PostgresException)
        {
            shares.Clear();
        }

        return shares;
    }

    /// <summary>Removes <c>pg_walinspect</c> again if this counter installed it.</summary>
    public async Task RemoveExtensionAsync()
    {
        if (CreatedExtension)
        {
            await using var drop = _database.CreateCommand($"DROP EXTENSION IF EXISTS {Extension}");
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Part of the WAL written to one relation by one resource manager.</summary>
/// <param name="Relation">The relation of the records' first block, or <c>-</c> (commits, other databases' files).</param>
/// <param name="ResourceManager">PostgreSQL's resource manager (Heap, Btree, Gin, Transaction...).</param>
/// <param name="Records">Records.</param>
/// <param name="RecordBytes">Their bytes without full-page images.</param>
/// <param name="PageImageBytes">Their full-page images' bytes.</param>
internal sealed record class WalShare(string Relation, string ResourceManager, long Records, long RecordBytes, long PageImageBytes);

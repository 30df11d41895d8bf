using Npgsql;

namespace Copilot.Bench.Measuring;

/// <summary>Bytes PostgreSQL has written to its write-ahead log, from its own counter (<c>pg_current_wal_lsn()</c>).</summary>
/// <remarks>The WAL is server-wide, so a difference also counts whatever else wrote meanwhile (Orleans' membership
/// heartbeat, autovacuum). Measured over many operations that noise is small; it is never subtracted.</remarks>
internal sealed class WalCounter(NpgsqlDataSource database)
{
    /// <summary>The current WAL position, as bytes since the start of the log (<c>pg_wal_lsn_diff</c> against 0/0).</summary>
    public async Task<long> PositionAsync()
    {
        await using var command = database.CreateCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

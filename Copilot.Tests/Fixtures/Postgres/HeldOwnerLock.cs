using Npgsql;

namespace Copilot.Tests.Fixtures.Postgres;

/// <summary>One owner's file lock (the key the file store takes, <c>hashtextextended(owner, 19)</c>), held by the test in a
/// transaction of its own: the store's calls for that owner wait until the test lets the lock go, so a race between two
/// of them is played in the order the test chooses.</summary>
public sealed class HeldOwnerLock : IAsyncDisposable
{
    private const string Key = "hashtextextended(@owner::text, 19)";

    private readonly Guid _ownerId;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private HeldOwnerLock(Guid ownerId, NpgsqlDataSource dataSource, NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        (_ownerId, _dataSource, _connection, _transaction) = (ownerId, dataSource, connection, transaction);

    /// <summary>Takes the lock of <paramref name="ownerId"/> on the shared test database.</summary>
    public static async Task<HeldOwnerLock> TakeAsync(Guid ownerId)
    {
        var dataSource = await TestDatabase.GetDataSourceAsync();
        var connection = await dataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        var held = new HeldOwnerLock(ownerId, dataSource, connection, transaction);
        await held.ExecuteAsync($"SELECT pg_advisory_xact_lock({Key})");
        return held;
    }

    /// <summary>Runs <paramref name="sql"/> (with <c>@owner</c> and an optional <c>@id</c>) inside the transaction that
    /// holds the lock, as a call of the store that took the lock first would.</summary>
    public async Task ExecuteAsync(string sql, Guid? id = null)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
        command.Parameters.AddWithValue("owner", _ownerId);
        if (id is { } value)
        {
            command.Parameters.AddWithValue("id", value);
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>How many connections wait for the lock now.</summary>
    public async Task<long> WaitersAsync()
    {
        // pg_locks shows a bigint advisory key as its high half in classid and its low half in objid, with objsubid 1.
        await using var command = _dataSource.CreateCommand(
            $"""
            SELECT count(*) FROM pg_locks l
            WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid::bigint = ({Key} >> 32) & 4294967295 AND l.objid::bigint = {Key} & 4294967295
            """);
        command.Parameters.AddWithValue("owner", _ownerId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until <paramref name="count"/> connections wait for the lock, or <paramref name="done"/> has ended
    /// without waiting (what a call that does not take the lock does); true when they wait.</summary>
    public async Task<bool> WaitedForByAsync(int count, params Task[] done)
    {
        var waiting = false;
        await Eventually.HoldsAsync(
            async () => (waiting = await WaitersAsync() >= count) || done.Any(t => t.IsCompleted),
            $"{count} call(s) wait for the owner's lock");
        return waiting;
    }

    /// <summary>Commits what the test ran under the lock and lets the lock go.</summary>
    public Task ReleaseAsync() => _transaction.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

using Copilot.Api.Files;
using Copilot.Silo.Hosting;
using Microsoft.Extensions.Options;
using NpgsqlTypes;

namespace Copilot.Silo.Database;

/// <summary><see cref="IFileUrlKeyStore"/> on <c>copilot_signing_keys</c> (<c>sql/0017_copilot_signing_keys.sql</c>): one
/// row per service id, written by the first silo that starts and read by all.</summary>
internal sealed class SqlFileUrlKeyStore(CopilotDatabase database, IOptions<ClusterSettings> cluster) : IFileUrlKeyStore
{
    /// <summary>The row's <c>purpose</c>.</summary>
    public const string Purpose = "file-urls";

    public async Task<byte[]> GetOrAddAsync(byte[] candidate, CancellationToken cancellationToken)
    {
        // Two statements, not one: a silo whose insert waited for another's to commit finds that row only in a snapshot
        // taken after it (READ COMMITTED takes one per statement), so the read sees the winner's key.
        await using var batch = database.DataSource.CreateBatch();
        var insert = batch.CreateBatchCommand();
        insert.CommandText =
            "INSERT INTO copilot_signing_keys (service_id, purpose, key) VALUES ($1, $2, $3) ON CONFLICT (service_id, purpose) DO NOTHING";
        insert.Parameters.Add(new() { Value = cluster.Value.ServiceId });
        insert.Parameters.Add(new() { Value = Purpose });
        insert.Parameters.Add(new() { Value = candidate, NpgsqlDbType = NpgsqlDbType.Bytea });
        batch.BatchCommands.Add(insert);
        var read = batch.CreateBatchCommand();
        read.CommandText = "SELECT key FROM copilot_signing_keys WHERE service_id = $1 AND purpose = $2";
        read.Parameters.Add(new() { Value = cluster.Value.ServiceId });
        read.Parameters.Add(new() { Value = Purpose });
        batch.BatchCommands.Add(read);
        return (byte[])(await batch.ExecuteScalarAsync(cancellationToken))!;
    }
}

using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Copilot.Silo.Database;

/// <summary>Applies the scripts in <c>sql/</c> in file-name order, each once, recording them in <c>copilot_schema_migrations</c>.</summary>
/// <remarks>
/// Every script is idempotent, so re-running one is safe; the table only saves the work. A script whose text changed
/// since it was applied runs again. A session-level advisory lock serializes migrators, so silos starting together on
/// an empty database take turns instead of racing on <c>CREATE TABLE</c>.
/// </remarks>
public static partial class SchemaMigrator
{
    /// <summary>Arbitrary but fixed: the advisory lock key every migrator takes.</summary>
    private const long LockKey = 0x436f70696c6f74; // "Copilot"

    /// <summary>The folder the scripts are copied to next to the executable.</summary>
    public static string DefaultScriptDirectory => Path.Combine(AppContext.BaseDirectory, "sql");

    /// <summary>Applies pending scripts; returns the names of those it ran.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        NpgsqlDataSource dataSource, string scriptDirectory, ILogger logger, CancellationToken cancellationToken = default)
    {
        var scripts = Directory.GetFiles(scriptDirectory, "*.sql")
            .OrderBy(path => Path.GetFileName(path), StringComparer.Ordinal)
            .ToList();
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No SQL scripts found in {scriptDirectory}.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(
                connection,
                """
                CREATE TABLE IF NOT EXISTS copilot_schema_migrations (
                    version     varchar(200) PRIMARY KEY,
                    checksum    char(64)     NOT NULL,
                    applied_at  timestamptz  NOT NULL DEFAULT now()
                )
                """,
                cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var ran = new List<string>();
            foreach (var path in scripts)
            {
                var version = Path.GetFileName(path);
                var text = await File.ReadAllTextAsync(path, cancellationToken);
                var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
                if (applied.TryGetValue(version, out var appliedChecksum) && appliedChecksum == checksum)
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, text, cancellationToken);
                await using (var record = new NpgsqlCommand(
                    """
                    INSERT INTO copilot_schema_migrations (version, checksum) VALUES (@version, @checksum)
                    ON CONFLICT (version) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()
                    """,
                    connection))
                {
                    record.Parameters.AddWithValue("version", version);
                    record.Parameters.AddWithValue("checksum", checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, version);
                ran.Add(version);
            }

            await using (var ctype = new NpgsqlCommand("SELECT datctype FROM pg_database WHERE datname = current_database()", connection))
            {
                if (await ctype.ExecuteScalarAsync(cancellationToken) is string name && name is "C" or "POSIX")
                {
                    LogAsciiCaseOnly(logger, name);
                }
            }

            return ran;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM copilot_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema script {Version}")]
    private static partial void LogApplied(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The database's LC_CTYPE is {Ctype}: search folds the case of ASCII letters only, so \"émigré\" does not find \"ÉMIGRÉ\". " +
        "A database created with a UTF-8 LC_CTYPE (C.UTF-8, en_US.UTF-8) folds every letter (docs/operations.md)")]
    private static partial void LogAsciiCaseOnly(ILogger logger, string ctype);
}

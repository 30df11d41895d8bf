using Npgsql;

namespace Copilot.Bench.Phases;

/// <summary>The comparison tables, in their own schema of the service's database: the seed's two tables with its four
/// indexes, and the floor's one-row-per-message table.</summary>
/// <remarks>
/// The seed's DDL (shared/seed/sprint-04) as written, except what this server cannot have: no foreign key to
/// Supabase's <c>auth.users</c> and no row-level security (its policies call <c>auth.uid()</c> per row, which would
/// only make the seed slower). The foreign key from messages to sessions is kept.
/// </remarks>
internal static class BaselineSchema
{
    /// <summary>The schema; dropped and created afresh for every run.</summary>
    public const string Name = "copilot_bench";

    /// <summary>Creates the schema and its tables.</summary>
    public static async Task CreateAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($$"""
            DROP SCHEMA IF EXISTS {{Name}} CASCADE;
            CREATE SCHEMA {{Name}};

            CREATE TABLE {{Name}}.copilot_sessions (
              id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
              user_id UUID,
              created_at TIMESTAMP WITH TIME ZONE DEFAULT TIMEZONE('utc', NOW()),
              updated_at TIMESTAMP WITH TIME ZONE DEFAULT TIMEZONE('utc', NOW()),
              metadata JSONB DEFAULT '{}',
              is_active BOOLEAN DEFAULT true
            );

            CREATE TABLE {{Name}}.copilot_messages (
              id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
              session_id UUID REFERENCES {{Name}}.copilot_sessions(id) ON DELETE CASCADE,
              role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
              content TEXT NOT NULL,
              created_at TIMESTAMP WITH TIME ZONE DEFAULT TIMEZONE('utc', NOW()),
              metadata JSONB DEFAULT '{}'
            );

            CREATE INDEX idx_copilot_sessions_user_id ON {{Name}}.copilot_sessions(user_id);
            CREATE INDEX idx_copilot_sessions_updated_at ON {{Name}}.copilot_sessions(updated_at);
            CREATE INDEX idx_copilot_messages_session_id ON {{Name}}.copilot_messages(session_id);
            CREATE INDEX idx_copilot_messages_created_at ON {{Name}}.copilot_messages(created_at);

            CREATE TABLE {{Name}}.floor_messages (
              id UUID PRIMARY KEY,
              content TEXT NOT NULL
            );
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops the schema.</summary>
    public static async Task DropAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A data source for the baselines: pooled, with enough connections for every virtual user, statements
    /// prepared after their second use (PostgREST prepares its statements) and no session reset when a connection
    /// goes back to the pool (PostgREST keeps its connections; the service's own data source does the same).</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, int users) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            MinPoolSize = 0,
            MaxPoolSize = Math.Max(users + 4, 20),
            MaxAutoPrepare = 16,
            AutoPrepareMinUsages = 2,
            NoResetOnClose = true,
        }.ConnectionString);
}

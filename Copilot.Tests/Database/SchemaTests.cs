using Copilot.Silo.Database;
using Copilot.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Copilot.Tests.Database;

public sealed class SchemaTests
{
    [Fact]
    public async Task Applying_the_schema_twice_changes_nothing_the_second_time()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestDatabase.CreateEmptyDatabaseAsync());

        var first = await SchemaMigrator.ApplyAsync(dataSource, SchemaMigrator.DefaultScriptDirectory, NullLogger.Instance);
        var queriesBefore = await SnapshotAsync(dataSource);
        var second = await SchemaMigrator.ApplyAsync(dataSource, SchemaMigrator.DefaultScriptDirectory, NullLogger.Instance);

        Assert.Equal(Directory.GetFiles(SchemaMigrator.DefaultScriptDirectory, "*.sql").Select(Path.GetFileName).Order(), first);
        Assert.Empty(second);
        Assert.Equal(queriesBefore, await SnapshotAsync(dataSource));
    }

    [Fact]
    public async Task Every_script_can_be_run_again_on_a_migrated_database()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestDatabase.CreateEmptyDatabaseAsync());
        await SchemaMigrator.ApplyAsync(dataSource, SchemaMigrator.DefaultScriptDirectory, NullLogger.Instance);
        var before = await SnapshotAsync(dataSource);

        foreach (var script in Directory.GetFiles(SchemaMigrator.DefaultScriptDirectory, "*.sql").Order())
        {
            await using var command = dataSource.CreateCommand(await File.ReadAllTextAsync(script));
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(before, await SnapshotAsync(dataSource));
    }

    [Fact]
    public async Task Two_processes_migrating_an_empty_database_at_once_both_succeed()
    {
        var connectionString = await TestDatabase.CreateEmptyDatabaseAsync();

        var environment = new Dictionary<string, string?> { ["ConnectionStrings__Copilot"] = connectionString };
        var results = await Task.WhenAll(
            SiloCommandLine.RunAsync(["migrate"], environment), SiloCommandLine.RunAsync(["migrate"], environment));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"migrate exited {r.ExitCode}: {r.Stdout}{r.Stderr}"));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM copilot_schema_migrations");
        Assert.Equal(
            (long)Directory.GetFiles(SchemaMigrator.DefaultScriptDirectory, "*.sql").Length,
            (long)(await command.ExecuteScalarAsync())!);
    }

    private static async Task<string> SnapshotAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT string_agg(querykey || '=' || md5(querytext), ',' ORDER BY querykey)
                || '|' || (SELECT string_agg(version || ':' || applied_at::text, ',' ORDER BY version) FROM copilot_schema_migrations)
                || '|' || (SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public')
            FROM orleansquery
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

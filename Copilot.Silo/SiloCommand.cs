using System.Runtime.InteropServices;
using Copilot.Api.Auth;
using Copilot.Silo.Database;
using Microsoft.Extensions.Options;

namespace Copilot.Silo;

/// <summary>What the executable was asked to do: run the service (default) or one of its maintenance commands.</summary>
internal sealed record class SiloCommand(string Name, string[] HostArguments, string[] CommandArguments)
{
    private const string Run = "run";
    private const string Migrate = "migrate";
    private const string Token = "token";
    private const string Postgres = "postgres";
    private const string Reindex = "reindex";

    /// <summary>Splits a leading command (<c>migrate</c>, <c>reindex</c>, <c>postgres</c>, <c>token &lt;user-id&gt;</c>) from
    /// the host's own arguments.</summary>
    public static SiloCommand Parse(string[] args)
    {
        if (args.Length > 0 && args[0] is Migrate or Postgres or Reindex)
        {
            return new SiloCommand(args[0], args[1..], []);
        }

        if (args.Length > 0 && args[0] is Token)
        {
            return args.Length > 1
                ? new SiloCommand(Token, args[2..], [args[1]])
                : new SiloCommand(Token, args[1..], []);
        }

        return new SiloCommand(Run, args, []);
    }

    /// <summary>Builds the application and runs the command against it; returns the process exit code.</summary>
    /// <remarks>Building is inside the guard too: some options are read while the host is built, and a wrong setting
    /// must end in one line there as well.</remarks>
    public async Task<int> RunAsync(Func<WebApplication> build)
    {
        try
        {
            var app = build();

            // Every ValidateOnStart check, now: a wrong setting stops the process before anything connects anywhere.
            // The database commands use only the database settings, so a migration job needs no auth settings.
            if (Name is not (Migrate or Postgres or Reindex))
            {
                app.Services.GetService<IStartupValidator>()?.Validate();
            }
            switch (Name)
            {
                case Migrate:
                    await using (var database = app.Services.GetRequiredService<CopilotDatabase>())
                    {
                        await database.InitializeAsync();
                        Console.WriteLine("Schema is up to date.");
                    }

                    return 0;
                case Reindex:
                    await using (var database = app.Services.GetRequiredService<CopilotDatabase>())
                    {
                        await database.InitializeAsync();
                        Console.WriteLine($"Search index rebuilt: {await database.RebuildSearchIndexAsync()} rows.");
                    }

                    return 0;
                case Token:
                    return PrintToken(app);
                case Postgres:
                    return await RunEmbeddedPostgresAsync(app);
                default:
                    await app.RunAsync();
                    return 0;
            }
        }
        catch (Npgsql.NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync(
                $"error: PostgreSQL could not be used: {ex.Message} Check ConnectionStrings__Copilot (or unset it to use the embedded server).");
            return 1;
        }
        catch (LocalPostgresException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"error: invalid configuration: {string.Join(" ", ex.Failures)}");
            return 1;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            var failures = ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures);
            await Console.Error.WriteLineAsync($"error: invalid configuration: {string.Join(" ", failures)}");
            return 1;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"error: invalid configuration: {ex.Message}");
            return 1;
        }
    }

    private int PrintToken(WebApplication app)
    {
        if (CommandArguments.Length != 1 || !Guid.TryParse(CommandArguments[0], out var userId))
        {
            Console.Error.WriteLine("usage: token <user-id>   (the user id is a UUID)");
            return 2;
        }

        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode != AuthMode.Development)
        {
            Console.Error.WriteLine("error: 'token' issues development tokens; Copilot:Auth:Mode is not Development.");
            return 1;
        }

        Console.WriteLine(app.Services.GetRequiredService<DevelopmentTokens>().Issue(userId));
        return 0;
    }

    /// <summary>Runs only the embedded PostgreSQL server, schema applied, until SIGINT/SIGTERM: the shared database of a
    /// local multi-silo cluster (<c>./run.sh --silos N</c>). Prints <c>ConnectionStrings__Copilot=...</c> when ready.</summary>
    private static async Task<int> RunEmbeddedPostgresAsync(WebApplication app)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
        await using var database = app.Services.GetRequiredService<CopilotDatabase>();
        await database.InitializeAsync();
        if (!database.IsEmbedded)
        {
            await Console.Error.WriteLineAsync("error: 'postgres' runs the embedded server; unset ConnectionStrings__Copilot.");
            return 2;
        }

        Console.WriteLine($"ConnectionStrings__Copilot={database.ConnectionString}");
        await stop.Task;
        return 0;
    }
}

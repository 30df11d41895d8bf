using Copilot.Silo.Database;

namespace Copilot.Silo;

/// <summary>What the executable was asked to do: run the service (default) or one of its maintenance commands.</summary>
internal sealed record class SiloCommand(string Name, string[] HostArguments, string[] CommandArguments)
{
    private const string Run = "run";
    private const string Migrate = "migrate";

    /// <summary>Splits a leading command word (<c>migrate</c>) from the host's own arguments.</summary>
    public static SiloCommand Parse(string[] args)
    {
        if (args.Length > 0 && args[0] is Migrate)
        {
            return new SiloCommand(args[0], args[1..], []);
        }

        return new SiloCommand(Run, args, []);
    }

    /// <summary>Runs the command against the built application; returns the process exit code.</summary>
    public async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            switch (Name)
            {
                case Migrate:
                    await using (var database = app.Services.GetRequiredService<CopilotDatabase>())
                    {
                        await database.InitializeAsync();
                        Console.WriteLine("Schema is up to date.");
                    }

                    return 0;
                default:
                    await app.RunAsync();
                    return 0;
            }
        }
        catch (LocalPostgresException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"error: invalid configuration: {string.Join(" ", ex.Failures)}");
            return 1;
        }
    }
}

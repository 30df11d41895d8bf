namespace Copilot.Silo.Database;

/// <summary>Where the database is, bound from <c>Copilot:Database</c> (the connection string is <c>ConnectionStrings:Copilot</c>).</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Copilot:Database";

    /// <summary>The connection string name under <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "Copilot";

    /// <summary>Data directory of the embedded server, used when no connection string is set. Default <c>.data/postgres</c>.</summary>
    public string LocalDataDirectory { get; set; } = Path.Combine(".data", "postgres");

    /// <summary>How long a starting silo waits for a configured PostgreSQL that does not answer yet (nothing listening,
    /// the server still starting) before it gives up. Default one minute; zero tries once.</summary>
    public TimeSpan StartupWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Apply pending <c>sql/</c> scripts at start-up. Default true.</summary>
    public bool ApplySchemaOnStart { get; set; } = true;
}

namespace Copilot.Silo.Database;

/// <summary>The private PostgreSQL server could not be found or started. The message is meant for the operator.</summary>
public sealed class LocalPostgresException : Exception
{
    public LocalPostgresException()
    {
    }

    public LocalPostgresException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LocalPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Copilot.Silo.Database;

/// <summary>The private PostgreSQL server could not be found or started. The message is meant for the operator.</summary>
public sealed class LocalPostgresException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LocalPostgresException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
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

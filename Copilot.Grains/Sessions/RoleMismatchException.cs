namespace Copilot.Grains.Sessions;

/// <summary>A send named a persona other than the one the session was created with.</summary>
[GenerateSerializer, Alias("copilot.role-mismatch")]
public sealed class RoleMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RoleMismatchException()
        : base("This session was created with another role; start a new session to change roles.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RoleMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RoleMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

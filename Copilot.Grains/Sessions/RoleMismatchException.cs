namespace Copilot.Grains.Sessions;

/// <summary>A send named a persona other than the one the session was created with.</summary>
[GenerateSerializer, Alias("copilot.role-mismatch")]
public sealed class RoleMismatchException : Exception
{
    public RoleMismatchException()
        : base("This session was created with another role; start a new session to change roles.")
    {
    }

    public RoleMismatchException(string message)
        : base(message)
    {
    }

    public RoleMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Copilot.Grains.Sessions;

/// <summary>The session does not exist for this caller: never created, expired, or owned by someone else.</summary>
/// <remarks>The three cases are deliberately indistinguishable so that ids leak nothing.</remarks>
[GenerateSerializer, Alias("copilot.session-not-found")]
public sealed class SessionNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionNotFoundException()
        : base("Session not found.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SessionNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public SessionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

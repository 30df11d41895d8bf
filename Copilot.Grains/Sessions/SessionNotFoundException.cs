namespace Copilot.Grains.Sessions;

/// <summary>The session does not exist for this caller: never created, expired, or owned by someone else.</summary>
/// <remarks>The three cases are deliberately indistinguishable so that ids leak nothing.</remarks>
[GenerateSerializer, Alias("copilot.session-not-found")]
public sealed class SessionNotFoundException : Exception
{
    public SessionNotFoundException()
        : base("Session not found.")
    {
    }

    public SessionNotFoundException(string message)
        : base(message)
    {
    }

    public SessionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

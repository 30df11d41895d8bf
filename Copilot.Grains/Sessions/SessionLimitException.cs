namespace Copilot.Grains.Sessions;

/// <summary>The user already has <see cref="SessionsOptions.MaxPerUser"/> sessions; nothing of the new one was stored.</summary>
[GenerateSerializer, Alias("copilot.session-limit")]
public sealed class SessionLimitException : Exception
{
    public SessionLimitException()
        : base("The user has as many sessions as allowed.")
    {
    }

    public SessionLimitException(string message)
        : base(message)
    {
    }

    public SessionLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

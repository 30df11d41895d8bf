namespace Copilot.Grains.Sessions;

/// <summary>The session is already generating a reply; one turn at a time keeps the history in order.</summary>
[GenerateSerializer, Alias("copilot.turn-in-flight")]
public sealed class TurnInFlightException : Exception
{
    public TurnInFlightException()
        : base("A reply is already being generated in this session.")
    {
    }

    public TurnInFlightException(string message)
        : base(message)
    {
    }

    public TurnInFlightException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

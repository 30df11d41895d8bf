namespace Copilot.Grains.Sessions;

/// <summary>Who wrote a message.</summary>
public enum MessageRole
{
    /// <summary>The person using the panel.</summary>
    User,

    /// <summary>The chat model.</summary>
    Assistant,

    /// <summary>A note from the service itself.</summary>
    System,
}

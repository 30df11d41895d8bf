namespace Copilot.Grains.Sessions;

/// <summary>Who wrote a message.</summary>
public enum MessageRole
{
    User,

    Assistant,

    /// <summary>A note from the service itself.</summary>
    System,
}

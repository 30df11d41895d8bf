namespace Copilot.Grains.Sessions;

/// <summary>How a message ended. User messages are always <see cref="Complete"/>.</summary>
public enum MessageStatus
{
    /// <summary>Written in full.</summary>
    Complete,

    /// <summary>The client stopped the reply; the content is what had arrived.</summary>
    Stopped,

    /// <summary>The model failed; the content is what had arrived and the metadata holds an error code.</summary>
    Failed,

    /// <summary>The silo stopped or died while the reply was being generated.</summary>
    Interrupted,
}

namespace Copilot.Grains.Feedback;

/// <summary>What became of a feedback request on a message the session was asked about.</summary>
public enum FeedbackOutcome
{
    /// <summary>Set (or replaced), or cleared when no feedback was given.</summary>
    Done,

    /// <summary>The session holds no message with this id.</summary>
    MessageNotFound,

    /// <summary>The message is not a reply (a user or system message): only replies are rated.</summary>
    NotAReply,
}

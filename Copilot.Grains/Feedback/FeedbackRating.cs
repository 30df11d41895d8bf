namespace Copilot.Grains.Feedback;

/// <summary>A thumbs up or down on a reply. Stored and sent on the wire in lower case.</summary>
public enum FeedbackRating
{
    Up,

    Down,
}

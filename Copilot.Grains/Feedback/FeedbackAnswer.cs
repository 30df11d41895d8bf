namespace Copilot.Grains.Feedback;

/// <summary>The answer to a feedback request: what happened, and the feedback now stored (null when cleared or refused).</summary>
[GenerateSerializer, Immutable, Alias("copilot.feedback-answer")]
public sealed record class FeedbackAnswer(
    [property: Id(0)] FeedbackOutcome Outcome,
    [property: Id(1)] MessageFeedback? Feedback = null);

namespace Copilot.Grains.Feedback;

/// <summary>The owner's feedback on one reply.</summary>
[GenerateSerializer, Immutable, Alias("copilot.message-feedback")]
public sealed record class MessageFeedback
{
    /// <summary>Longest comment accepted, in UTF-16 units.</summary>
    public const int MaxCommentChars = 1_000;

    [Id(0)] public required FeedbackRating Rating { get; init; }

    [Id(1)] public FeedbackReason? Reason { get; init; }

    /// <summary>Free text, storable (<see cref="StoredText.IsStorable"/>), at most <see cref="MaxCommentChars"/>.</summary>
    [Id(2)] public string? Comment { get; init; }

    /// <summary>When it was last set (UTC); set by the session when it stores the feedback.</summary>
    [Id(3)] public DateTimeOffset UpdatedAt { get; init; }
}

using System.Diagnostics.CodeAnalysis;

namespace Copilot.Grains.Feedback;

/// <summary>The wire and stored names of <see cref="FeedbackRating"/> and <see cref="FeedbackReason"/>.</summary>
public static class FeedbackNames
{
    private static readonly string[] RatingNames = ["up", "down"];

    private static readonly string[] ReasonNames = ["wrong", "incomplete", "unsafe", "not_helpful", "great"];

    /// <summary>Every reason's wire name, in declaration order.</summary>
    public static IReadOnlyList<string> Reasons => ReasonNames;

    public static string ToWireName(this FeedbackRating rating) => RatingNames[(int)rating];

    public static string ToWireName(this FeedbackReason reason) => ReasonNames[(int)reason];

    /// <summary>Parses a rating's wire name, exactly.</summary>
    public static bool TryParseRating(string? wireName, [NotNullWhen(true)] out FeedbackRating? rating)
    {
        var index = Array.IndexOf(RatingNames, wireName);
        rating = index < 0 ? null : (FeedbackRating)index;
        return rating is not null;
    }

    /// <summary>Parses a reason's wire name, exactly.</summary>
    public static bool TryParseReason(string? wireName, [NotNullWhen(true)] out FeedbackReason? reason)
    {
        var index = Array.IndexOf(ReasonNames, wireName);
        reason = index < 0 ? null : (FeedbackReason)index;
        return reason is not null;
    }
}

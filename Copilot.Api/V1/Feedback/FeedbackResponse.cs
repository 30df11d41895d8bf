using System.Text.Json.Serialization;
using Copilot.Grains.Feedback;

namespace Copilot.Api.V1.Feedback;

/// <summary>Feedback on a reply as stored: the answer to a <c>PUT</c>, and <c>metadata.feedback</c> in the history.</summary>
/// <param name="Rating"><c>up</c> or <c>down</c>.</param>
/// <param name="Reason">One of the documented reasons; absent when none was given.</param>
/// <param name="Comment">The comment, trimmed; absent when none was given.</param>
/// <param name="UpdatedAt">When it was last set (UTC).</param>
internal sealed record class FeedbackResponse(
    string Rating,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Comment,
    DateTimeOffset UpdatedAt)
{
    public static FeedbackResponse From(MessageFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return new(feedback.Rating.ToWireName(), feedback.Reason?.ToWireName(), feedback.Comment, feedback.UpdatedAt);
    }
}

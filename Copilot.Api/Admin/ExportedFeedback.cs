using Copilot.Grains.Feedback;

namespace Copilot.Api.Admin;

/// <summary>A feedback line of a user's export, after the messages of its session.</summary>
internal sealed record class ExportedFeedback(
    string Type, Guid SessionId, Guid MessageId, string Rating, string? Reason, string? Comment, DateTimeOffset UpdatedAt)
{
    public static ExportedFeedback From(Guid sessionId, Guid messageId, MessageFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return new("feedback", sessionId, messageId, feedback.Rating.ToWireName(), feedback.Reason?.ToWireName(), feedback.Comment, feedback.UpdatedAt);
    }
}

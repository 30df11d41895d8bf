using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.Feedback;

namespace Copilot.Api.V1.Feedback;

/// <summary>The body of <c>PUT /v1/sessions/{id}/messages/{messageId}/feedback</c>.</summary>
/// <param name="Rating"><c>up</c> or <c>down</c>.</param>
/// <param name="Reason">Optional: one of <c>wrong</c>, <c>incomplete</c>, <c>unsafe</c>, <c>not_helpful</c>, <c>great</c>.</param>
/// <param name="Comment">Optional free text, at most 1,000 characters.</param>
internal sealed record class FeedbackRequest(string Rating, string? Reason, string? Comment)
{
    /// <summary>Reads the body, collecting what is wrong into <paramref name="errors"/>; null when anything is.</summary>
    public static MessageFeedback? Read(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return null;
        }

        FeedbackRating? rating = null;
        if (!root.TryGetProperty("rating", out var ratingValue) || ratingValue.ValueKind != JsonValueKind.String ||
            !FeedbackNames.TryParseRating(ratingValue.GetString(), out rating))
        {
            errors["rating"] = ["is required: up or down"];
        }

        FeedbackReason? reason = null;
        if (root.TryGetProperty("reason", out var reasonValue) && reasonValue.ValueKind != JsonValueKind.Null &&
            (reasonValue.ValueKind != JsonValueKind.String || !FeedbackNames.TryParseReason(reasonValue.GetString(), out reason)))
        {
            errors["reason"] = [$"must be one of {string.Join(", ", FeedbackNames.Reasons)}, or absent"];
        }

        string? comment = null;
        if (root.TryGetProperty("comment", out var commentValue) && commentValue.ValueKind != JsonValueKind.Null)
        {
            comment = commentValue.ValueKind == JsonValueKind.String ? commentValue.GetString()!.Trim() : null;
            if (comment is null || comment.Length > MessageFeedback.MaxCommentChars || !StoredText.IsStorable(comment))
            {
                errors["comment"] = [$"must be a string of at most {MessageFeedback.MaxCommentChars} characters, without NUL characters or unpaired surrogates"];
            }
        }

        return errors.Count > 0 ? null : new MessageFeedback { Rating = rating!.Value, Reason = reason, Comment = comment is "" ? null : comment };
    }
}

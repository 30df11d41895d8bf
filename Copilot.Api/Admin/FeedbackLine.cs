using Copilot.Grains.Feedback;
using Copilot.Grains.Personas;

namespace Copilot.Api.Admin;

/// <summary>A line of <c>GET /api/admin/feedback</c>: what was rated, how, and what it answered; no user id.</summary>
/// <param name="SessionId">The session of the rated reply.</param>
/// <param name="MessageId">The rated reply.</param>
/// <param name="Persona">The session's persona.</param>
/// <param name="Model">The model that wrote the reply, when known.</param>
/// <param name="Rating"><c>up</c> or <c>down</c>.</param>
/// <param name="Reason">One of the documented reasons, or null.</param>
/// <param name="Comment">The owner's comment, or null.</param>
/// <param name="UpdatedAt">When the feedback was last set.</param>
/// <param name="Reply">The rated reply's text.</param>
/// <param name="Question">The message it answered, when there is one.</param>
internal sealed record class FeedbackLine(
    Guid SessionId,
    Guid MessageId,
    string Persona,
    string? Model,
    string Rating,
    string? Reason,
    string? Comment,
    string Reply,
    string? Question,
    DateTimeOffset UpdatedAt)
{
    public static FeedbackLine From(RatedReply rated)
    {
        ArgumentNullException.ThrowIfNull(rated);
        var feedback = rated.Feedback;
        return new(
            rated.SessionId, rated.MessageId, rated.Persona.ToWireName(), rated.Model, feedback.Rating.ToWireName(),
            feedback.Reason?.ToWireName(), feedback.Comment, rated.Reply, rated.Question, feedback.UpdatedAt);
    }
}

using Copilot.Grains.Personas;

namespace Copilot.Grains.Feedback;

/// <summary>A row of the feedback table: the feedback with what it rated, copied when it was given (messages are
/// written once, so the copies never go stale), for the people tuning the prompts.</summary>
/// <param name="SessionId">The session of the rated reply.</param>
/// <param name="MessageId">The rated reply.</param>
/// <param name="UserId">The session's owner, who gave the feedback.</param>
/// <param name="Persona">The session's persona.</param>
/// <param name="Model">The model that wrote the reply, when known.</param>
/// <param name="Feedback">The feedback.</param>
/// <param name="Reply">The rated reply's text.</param>
/// <param name="Question">The text of the message the reply answered, when there is one.</param>
public sealed record class RatedReply(
    Guid SessionId,
    Guid MessageId,
    Guid UserId,
    PersonaRole Persona,
    string? Model,
    MessageFeedback Feedback,
    string Reply,
    string? Question);

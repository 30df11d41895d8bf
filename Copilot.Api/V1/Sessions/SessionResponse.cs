using Copilot.Api.Shared;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;

namespace Copilot.Api.V1.Sessions;

/// <summary>One session (a chat) as <c>/v1</c> shows it.</summary>
/// <param name="Id">The session id, which is also the chat id.</param>
/// <param name="Title">Made from the first message, or set by a rename.</param>
/// <param name="Persona"><c>field</c>, <c>pm</c> or <c>exec</c>.</param>
/// <param name="CreatedAt">Created (UTC).</param>
/// <param name="UpdatedAt">Last message added or renamed (UTC).</param>
/// <param name="MessageCount">Messages stored.</param>
/// <param name="TurnInFlight">Whether a reply is being generated right now (resume it with <c>GET /v1/chat/{id}/stream</c>).</param>
internal sealed record class SessionResponse(
    Guid Id,
    string Title,
    string Persona,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long MessageCount,
    bool TurnInFlight)
{
    public static SessionResponse From(SessionInfo info) => new(
        info.Id, info.Title, info.Role.ToWireName(), info.CreatedAt, info.UpdatedAt, info.MessageCount, info.TurnInFlight);

    /// <summary>A session from its line in the user's index.</summary>
    public static SessionResponse From(SessionSummary summary) => new(
        summary.Id,
        summary.Title,
        summary.Role.ToWireName(),
        summary.CreatedAt,
        summary.UpdatedAt,
        summary.MessageCount,
        summary.TurnInFlight);
}

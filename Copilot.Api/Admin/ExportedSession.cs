using Copilot.Grains.Personas;
using Copilot.Grains.Users;

namespace Copilot.Api.Admin;

/// <summary>A session line of a user's export.</summary>
internal sealed record class ExportedSession(
    string Type, Guid Id, string Title, string Persona, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long MessageCount)
{
    public static ExportedSession From(SessionSummary session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new("session", session.Id, session.Title, session.Role.ToWireName(), session.CreatedAt, session.UpdatedAt, session.MessageCount);
    }
}

using Copilot.Grains.Personas;

namespace Copilot.Api.Seed;

/// <summary>A validated send: the body of <c>POST /api/copilot</c>.</summary>
/// <param name="Message">The user's message, non-empty and within the length limit.</param>
/// <param name="SessionId">The session to continue, or null for a new one.</param>
/// <param name="Role">The persona asked for, or null.</param>
internal sealed record class ChatRequest(string Message, Guid? SessionId, PersonaRole? Role);

using Copilot.Grains.Personas;
using Microsoft.Extensions.AI;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>The model input of a turn: the persona's prompt, then the newest history that fits the budget, oldest first.</summary>
internal static class ContextWindow
{
    /// <summary>Builds the input from the session's messages, newest first.</summary>
    /// <remarks>The new user message is already the newest stored message, so it is included exactly once; the newest
    /// message is always included, even when it alone exceeds the budget.</remarks>
    public static async Task<List<ChatMessage>> BuildAsync(
        PersonaRole role, IAsyncEnumerable<SessionMessage> newestFirst, int maxMessages, int budgetChars)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var history = new List<ChatMessage>();
        var chars = 0;
        await foreach (var message in newestFirst)
        {
            if (message.Role == MessageRole.System || message.Content.Length == 0)
            {
                continue;
            }

            if (history.Count > 0 && (history.Count >= maxMessages || chars + message.Content.Length > budgetChars))
            {
                break;
            }

            chars += message.Content.Length;
            history.Add(new ChatMessage(message.Role == MessageRole.User ? ChatRole.User : ChatRole.Assistant, message.Content));
        }

        history.Add(new ChatMessage(ChatRole.System, Personas.Personas.SystemPrompt(role)));
        history.Reverse();
        return history;
    }
}

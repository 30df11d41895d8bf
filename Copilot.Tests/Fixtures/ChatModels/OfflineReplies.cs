using Copilot.Grains.ChatModel;
using Microsoft.Extensions.AI;

namespace Copilot.Tests.Fixtures.ChatModels;

/// <summary>What the offline responder says, so tests can assert the exact reply.</summary>
public static class OfflineReplies
{
    /// <summary>The reply to <paramref name="question"/> after <paramref name="earlierUserMessages"/> earlier user messages.</summary>
    public static string For(string question, int earlierUserMessages)
    {
        var history = Enumerable.Range(0, earlierUserMessages)
            .Select(i => new ChatMessage(ChatRole.User, $"earlier {i}"))
            .Append(new ChatMessage(ChatRole.User, question))
            .ToList();
        return string.Concat(OfflineChatClient.Compose(history));
    }
}

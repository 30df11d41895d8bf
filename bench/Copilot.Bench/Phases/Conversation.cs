using System.Globalization;
using Copilot.Grains.ChatModel;
using Microsoft.Extensions.AI;

namespace Copilot.Bench.Phases;

/// <summary>The text of benchmark turns: a short roofing question, and the offline model's reply to it, so that the
/// seed's rows, the floor's rows and pre-filled history have the same sizes as the service's own turns.</summary>
internal static class Conversation
{
    /// <summary>The user's question number <paramref name="n"/>.</summary>
    public static string Question(int n) => string.Create(
        CultureInfo.InvariantCulture, $"What should I check on the flashing around a chimney on a 6/12 pitch roof? (question {n})");

    /// <summary>What the offline model answers to <paramref name="question"/> (as the first message of a session).</summary>
    public static string Reply(string question) =>
        string.Concat(OfflineChatClient.Compose([new ChatMessage(ChatRole.User, question)]));
}

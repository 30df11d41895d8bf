using System.Globalization;
using Copilot.Grains.ChatModel;
using Copilot.Testing.ChatModel;

namespace Copilot.Bench.Phases;

/// <summary>The text of benchmark turns: a short roofing question, and the offline model's reply to it, so that the
/// seed's rows, the floor's rows and pre-filled history hold the same texts as the service's own turns.</summary>
internal static class Conversation
{
    /// <summary>The user's question number <paramref name="n"/>.</summary>
    public static string Question(int n) => string.Create(
        CultureInfo.InvariantCulture, $"What should I check on the flashing around a chimney on a 6/12 pitch roof? (question {n})");

    /// <summary>What the offline model answers to question <paramref name="n"/> of a session (after <paramref name="n"/>
    /// earlier ones) with <c>Bench:ReplyChars</c> = <paramref name="replyChars"/> (0: unset, the short
    /// reply). The service's reply is the same text while the earlier questions fit its context window, and text of the
    /// same size and kind after that.</summary>
    public static string Reply(int n, int replyChars) =>
        string.Concat(replyChars > 0 ? ProseReplies.Compose(Question(n), n, replyChars) : OfflineChatClient.Compose(Question(n), n));

    /// <summary>How a reply size reads in the report.</summary>
    public static string SizeName(int replyChars) => replyChars > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{replyChars:N0}-char replies")
        : string.Create(CultureInfo.InvariantCulture, $"short replies (~{Reply(1, 0).Length} chars)");
}

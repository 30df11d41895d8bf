using System.IO.Compression;
using System.Text;
using Copilot.Grains.ChatModel;
using Copilot.Testing.ChatModel;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Copilot.Tests.ChatModel;

/// <summary>The benchmark's prose replies (<see cref="ProseReplies"/>): their length, determinism, variety and streaming
/// through the offline responder, and that the responder on its own keeps the short reply.</summary>
public sealed class OfflineReplyTests
{
    public static TheoryData<int> Lengths => new() { ProseReplies.MinChars, 500, 2_000, 8_000, 100_000 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Prose_is_at_most_the_length_asked_for_and_falls_short_by_less_than_the_stated_bound(int chars)
    {
        var lengths = Enumerable.Range(0, 200)
            .Select(i => string.Concat(ProseReplies.Compose($"How do I flash a chimney? ({i})", i % 7, chars)).Length)
            .ToList();

        Assert.All(lengths, length => Assert.InRange(length, chars - ProseReplies.Shortfall, chars));
    }

    [Fact]
    public void The_same_question_and_turn_give_the_same_prose_and_another_question_or_turn_other_prose()
    {
        var prose = Prose("Is my valley liner shot?", 3);

        Assert.Equal(prose, Prose("Is my valley liner shot?", 3));
        Assert.NotEqual(prose, Prose("Is my valley liner shot?", 4));
        Assert.NotEqual(prose, Prose("Is my valley liner shot!", 3));
    }

    [Fact]
    public void Prose_is_varied_sentences_that_compress_like_text_not_like_one_sentence_repeated()
    {
        var prose = Prose("What should I check on a 6/12 roof?", 0);
        var sentences = prose.Split(['.', ':', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Length > 3 && !char.IsDigit(s[0]))
            .ToList();
        var words = prose.Split([' ', '\n', '.', ',', ':', ';'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.ToLowerInvariant())
            .ToHashSet();

        Assert.True(sentences.Count >= 15, $"{sentences.Count} sentences");
        Assert.True(sentences.Distinct().Count() >= sentences.Count * 0.9, $"{sentences.Distinct().Count()} distinct of {sentences.Count}");
        Assert.True(words.Count >= 120, $"{words.Count} distinct words");
        Assert.InRange(GzipRatio(prose), 0.3, 0.7);
        Assert.True(GzipRatio(string.Concat(Enumerable.Repeat(sentences[0] + ". ", 20))) < 0.15, "the check tells repetition apart");
    }

    [Fact]
    public void Prose_is_paragraphs_of_sentences_each_chunk_after_the_first_starting_with_its_separator()
    {
        var chunks = ProseReplies.Compose("Do I need a cricket behind this chimney?", 2, 2_000);

        Assert.InRange(chunks.Count, 15, 40);
        Assert.All(chunks.Skip(1), chunk => Assert.True(chunk[0] is ' ' or '\n', $"'{chunk}'"));
        Assert.Contains("\n\n", string.Concat(chunks), StringComparison.Ordinal);
        Assert.StartsWith("I'm the offline assistant", chunks[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_prose_the_responder_streams_it_in_its_chunks_for_the_question_and_turn()
    {
        using var client = new OfflineChatClient(
            Options.Create(new ChatModelOptions { OfflineChunkDelay = TimeSpan.Zero }),
            (question, priorTurns) => ProseReplies.Compose(question, priorTurns, 2_000));
        ChatMessage[] history =
        [
            new(ChatRole.System, "You are a roofing assistant."),
            new(ChatRole.User, "first"),
            new(ChatRole.Assistant, "an answer"),
            new(ChatRole.User, "How long does a slate roof last?"),
        ];

        var texts = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync(history))
        {
            if (update.Text.Length > 0)
            {
                texts.Add(update.Text);
            }
        }

        Assert.Equal(ProseReplies.Compose("How long does a slate roof last?", 1, 2_000), texts);
    }

    [Fact]
    public async Task On_its_own_the_responder_gives_its_short_reply()
    {
        using var client = new OfflineChatClient(Options.Create(new ChatModelOptions { OfflineChunkDelay = TimeSpan.Zero }));

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);

        Assert.Equal(OfflineReplies.For("hello", 0), response.Text);
    }

    private static string Prose(string question, int turn) => string.Concat(ProseReplies.Compose(question, turn, 2_000));

    private static double GzipRatio(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return (double)compressed.Length / bytes.Length;
    }
}

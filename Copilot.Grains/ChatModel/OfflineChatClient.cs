using System.Globalization;
using System.Runtime.CompilerServices;
using Copilot.Grains.Sessions.Turns;
using Copilot.Grains.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Copilot.Grains.ChatModel;

/// <summary>The local responder used when no model is configured: deterministic, streams in several chunks, says it is offline.</summary>
/// <remarks>Its reply is one short paragraph. A host may give it another <see cref="Reply"/> (a benchmark's long prose)
/// and keep the rest: the chunked stream, <see cref="ChatModelOptions.OfflineChunkDelay"/> and the usage it reports.</remarks>
/// <param name="options">The chat model options; only <see cref="ChatModelOptions.OfflineChunkDelay"/> is read.</param>
/// <param name="reply">Composes the reply's chunks.</param>
public sealed class OfflineChatClient(IOptions<ChatModelOptions> options, OfflineChatClient.Reply reply) : IChatClient
{
    /// <summary>The model id the offline responder reports.</summary>
    public const string ModelId = "offline";

    /// <summary>The offline responder with its short reply.</summary>
    public OfflineChatClient(IOptions<ChatModelOptions> options)
        : this(options, Compose)
    {
    }

    /// <summary>The chunks of the reply to <paramref name="question"/> after <paramref name="priorTurns"/> earlier questions.</summary>
    public delegate IReadOnlyList<string> Reply(string question, int priorTurns);

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, chatOptions, cancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages.ToList();
        var delay = options.Value.OfflineChunkDelay;
        var responseId = Guid.NewGuid().ToString("N");
        var chunks = Compose(history, reply);
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = ModelId, ResponseId = responseId };
        }

        // The usage a stopped turn would be charged for the same text (TokenEstimate), so the quota costs the same
        // whether an offline reply ends or is stopped at its last chunk.
        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ModelId = ModelId,
            ResponseId = responseId,
            Contents = [new UsageContent(new UsageDetails
            {
                InputTokenCount = TokenEstimate.Input(history),
                OutputTokenCount = TokenEstimate.OfText(chunks.Sum(c => c.Length)),
            })],
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>The short reply, split into the chunks it streams in. Depends only on the messages, so tests can predict it.</summary>
    public static IReadOnlyList<string> Compose(IReadOnlyList<ChatMessage> history) => Compose(history, Compose);

    /// <summary>The short reply to <paramref name="question"/> after <paramref name="priorTurns"/> earlier questions.</summary>
    public static IReadOnlyList<string> Compose(string question, int priorTurns)
    {
        ArgumentNullException.ThrowIfNull(question);
        var quoted = question.Length <= 80 ? question : string.Concat(question.AsSpan(0, 77), "...");
        return
        [
            "I'm the offline assistant: ",
            "no chat model is configured, ",
            "so I can't answer for real. ",
            $"You asked: \"{quoted}\". ",
            $"I can see {priorTurns} earlier message(s) from you in this conversation.",
        ];
    }

    /// <summary>What <paramref name="reply"/> answers to the history's last question after its earlier ones.</summary>
    private static IReadOnlyList<string> Compose(IReadOnlyList<ChatMessage> history, Reply reply)
    {
        ArgumentNullException.ThrowIfNull(history);
        var last = history.LastOrDefault(m => m.Role == ChatRole.User);
        var chunks = reply(last?.Text ?? "", history.Count(m => m.Role == ChatRole.User) - 1);
        var images = last?.Contents.OfType<DataContent>().Where(c => c.HasTopLevelMediaType("image")).ToList() ?? [];
        return images.Count == 0 ? chunks : [DescribeImages(images), .. chunks];
    }

    /// <summary>"I received 2 images: 1,024×768 JPEG, 640×480 PNG. ", so a test sees what reached the model.</summary>
    private static string DescribeImages(IReadOnlyList<DataContent> images)
    {
        var described = images.Select(image =>
        {
            var format = image.MediaType["image/".Length..].ToUpperInvariant();
            return image.AdditionalProperties?.TryGetValue(ContextWindow.WidthProperty, out var width) == true &&
                image.AdditionalProperties.TryGetValue(ContextWindow.HeightProperty, out var height)
                ? string.Create(CultureInfo.InvariantCulture, $"{width:N0}×{height:N0} {format}")
                : format;
        });
        return $"I received {images.Count} image{(images.Count == 1 ? "" : "s")}: {string.Join(", ", described)}. ";
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Copilot.Silo.ChatModel;

/// <summary>The OpenAI provider: streamed replies through the OpenAI SDK's protocol method, read with
/// <see cref="SseParser"/> and <see cref="System.Text.Json.Utf8JsonReader"/>; everything else through
/// Microsoft.Extensions.AI's adapter over the same <see cref="OpenAI.Chat.ChatClient"/>.</summary>
/// <remarks>A model streams a token every few tens of milliseconds, so the cost per event is paid hundreds of times a
/// reply: the SDK's convenience method copies each event, parses it into a <c>JsonDocument</c> and a model object, and
/// the adapter converts that again. Here each event is read once, in place, into one <see cref="ChatResponseUpdate"/>.
/// The SDK's pipeline still sends the request (credentials, endpoint, retries, network timeout), its failures surface
/// as the same exceptions, and the request body is the one the adapter writes.</remarks>
/// <param name="chatClient">The SDK's client, configured with the endpoint, credentials, retries and timeout.</param>
/// <param name="model">The model <paramref name="chatClient"/> was created for, sent when the options name none.</param>
internal sealed class OpenAIStreamingChatClient(OpenAI.Chat.ChatClient chatClient, string model)
    : DelegatingChatClient(chatClient.AsIChatClient())
{
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var content = BinaryContent.Create(ChatCompletionRequest.Write(messages, options, model));
        var requestOptions = new RequestOptions { BufferResponse = false, CancellationToken = cancellationToken };
        var result = await chatClient.CompleteChatAsync(content, requestOptions);
        using var response = result.GetRawResponse();
        var chunks = new ChatCompletionChunkReader();
        var events = SseParser.Create(response.ContentStream!, chunks.Read);
        await foreach (var item in events.EnumerateAsync(cancellationToken))
        {
            if (chunks.Done)
            {
                yield break;
            }

            if (item.Data is { } update)
            {
                yield return update;
            }
        }
    }
}

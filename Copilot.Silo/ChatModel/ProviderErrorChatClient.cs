using System.ClientModel;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Microsoft.Extensions.AI;

namespace Copilot.Silo.ChatModel;

/// <summary>Turns the OpenAI client's exceptions into <see cref="ChatModelException"/> with a stable code, so the
/// session grain can store and report why a reply failed without knowing the provider.</summary>
/// <remarks>A stream that ends without a finish reason is a failure too: the OpenAI client ends the stream quietly
/// when the server sends an <c>error</c> event mid-way or closes the body early, and the partial reply must not be
/// stored as complete.</remarks>
internal sealed class ProviderErrorChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var finished = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                finished |= update.FinishReason is not null;
                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }

        if (!finished)
        {
            throw new ChatModelException(ErrorCodes.ModelError, "The chat model's stream ended before the reply was finished.");
        }
    }

    /// <summary>The <see cref="ChatModelException"/> for a provider failure; null for cancellation by the caller.</summary>
    internal static ChatModelException? Translate(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is ChatModelException || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return null;
        }

        return exception switch
        {
            ClientResultException { Status: 429 } e => new(ErrorCodes.ModelRateLimited, "The chat model is rate limited (HTTP 429).", e),
            ClientResultException { Status: 401 or 403 } e => new(ErrorCodes.ModelAuthFailed, $"The chat model refused the credentials (HTTP {e.Status}).", e),
            ClientResultException { Status: >= 500 } e => new(ErrorCodes.ModelUnavailable, $"The chat model failed (HTTP {e.Status}).", e),
            ClientResultException { Status: >= 400 } e => new(ErrorCodes.ModelRejected, $"The chat model rejected the request (HTTP {e.Status}).", e),
            ClientResultException { Status: 0 } e => new(ErrorCodes.ModelUnreachable, "The chat model could not be reached.", e),
            HttpRequestException or SocketException => new(ErrorCodes.ModelUnreachable, "The chat model could not be reached.", exception),
            OperationCanceledException or TimeoutException => new(ErrorCodes.ModelTimeout, "The chat model timed out.", exception),
            _ => new(ErrorCodes.ModelError, "The chat model failed.", exception),
        };
    }
}

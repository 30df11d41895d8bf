using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace Copilot.Tests.Fixtures.ChatModels;

/// <summary>One reply of a <see cref="GatedChatClient"/>: the test sends its chunks and ends it.</summary>
public sealed class GatedReply(IReadOnlyList<ChatMessage> input, ChatOptions? options)
{
    private readonly Channel<Func<ChatResponseUpdate>> _steps = Channel.CreateUnbounded<Func<ChatResponseUpdate>>();
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The messages the model was sent (system prompt first).</summary>
    public IReadOnlyList<ChatMessage> Input { get; } = input;

    /// <summary>The options the model was sent.</summary>
    public ChatOptions? Options { get; } = options;

    /// <summary>Completes when the caller cancelled the reply (a stop, a shutdown, a timeout).</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>Streams one chunk of text.</summary>
    public void Send(string text) => Write(() => new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = "gated" });

    /// <summary>Ends the reply normally, reporting <paramref name="usage"/> when given.</summary>
    public void Complete(UsageDetails? usage = null)
    {
        Write(() => new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ModelId = "gated",
            FinishReason = ChatFinishReason.Stop,
            Contents = usage is null ? [] : [new UsageContent(usage)],
        });
        _steps.Writer.TryComplete();
    }

    /// <summary>Ends the reply with a failure, as a broken model stream would.</summary>
    public void Fail(Exception exception) => _steps.Writer.TryComplete(exception);

    internal async IAsyncEnumerable<ChatResponseUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _cancelled.TrySetResult());
        try
        {
            while (await _steps.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_steps.Reader.TryRead(out var step))
                {
                    yield return step();
                }
            }
        }
        finally
        {
            // The read may end on the cancellation before the registration's turn comes (its callbacks run one by one,
            // and the reader's thread may dispose the registration first): the caller cancelled all the same.
            if (cancellationToken.IsCancellationRequested)
            {
                _cancelled.TrySetResult();
            }
        }
    }

    private void Write(Func<ChatResponseUpdate> step)
    {
        if (!_steps.Writer.TryWrite(step))
        {
            throw new InvalidOperationException("The reply has already ended.");
        }
    }
}

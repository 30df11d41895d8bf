using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace Copilot.Tests.Fixtures.ChatModels;

/// <summary>A chat model the test drives step by step: each reply waits for the test to send its chunks, so a test can
/// act mid-reply without opening a wall-clock window.</summary>
/// <remarks>Register it as the <see cref="IChatClient"/> singleton (through a fixture's <c>configureServices</c>); then
/// <c>var reply = await gate.NextReplyAsync();</c> and <c>reply.Send("…")</c>, <c>reply.Complete()</c> or
/// <c>reply.Fail(…)</c>.</remarks>
public sealed class GatedChatClient : IChatClient
{
    private readonly Channel<GatedReply> _replies = Channel.CreateUnbounded<GatedReply>();
    private int _calls;

    /// <summary>How many replies the model was asked for.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The next reply the model was asked for, in call order; waits (bounded) for the call.</summary>
    public async Task<GatedReply> NextReplyAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await _replies.Reader.ReadAsync(cancel.Token);
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The session grain streams replies.");

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var reply = new GatedReply([.. messages], options);
        await _replies.Writer.WriteAsync(reply, cancellationToken);
        await foreach (var update in reply.ReadAllAsync(cancellationToken))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

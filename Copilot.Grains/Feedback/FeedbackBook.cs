using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Telemetry;

namespace Copilot.Grains.Feedback;

/// <summary>A session's feedback: written through to <see cref="IFeedbackStore"/> under the session's write lock, and
/// kept in memory once read (the session is its only writer), so history pages cost no query after the first.</summary>
internal sealed class FeedbackBook(IFeedbackStore store, SessionStore session, TimeProvider time, CopilotMetrics metrics)
{
    private Dictionary<Guid, MessageFeedback>? _byMessage;

    /// <summary>The feedback on those of <paramref name="messages"/> that have some, by message id.</summary>
    public async Task<Dictionary<Guid, MessageFeedback>> OfAsync(IEnumerable<SessionMessage> messages)
    {
        var all = await LoadAsync();
        var found = new Dictionary<Guid, MessageFeedback>();
        foreach (var message in messages)
        {
            if (all.TryGetValue(message.Id, out var feedback))
            {
                found[message.Id] = feedback;
            }
        }

        return found;
    }

    /// <summary>Sets (or, with null, clears) the feedback on the reply <paramref name="messageId"/>.</summary>
    public async Task<FeedbackAnswer> SetAsync(Guid messageId, MessageFeedback? feedback)
    {
        if (await session.FindExactAsync(messageId.ToString()) is not { } message || message.Id != messageId)
        {
            return new(FeedbackOutcome.MessageNotFound);
        }

        if (message.Role != MessageRole.Assistant)
        {
            return new(FeedbackOutcome.NotAReply);
        }

        var all = await LoadAsync();
        var header = session.Header;
        if (feedback is null)
        {
            await session.WithWriteLockAsync(() => store.ClearAsync(header.Id, messageId));
            all.Remove(messageId);
            return new(FeedbackOutcome.Done);
        }

        var stored = feedback with { UpdatedAt = time.GetUtcNow() };
        var question = await QuestionOfAsync(message);
        await session.WithWriteLockAsync(() => store.SetAsync(
            new RatedReply(header.Id, messageId, header.OwnerId, header.Role, message.Metadata.Model, stored, message.Content, question?.Content)));
        all[messageId] = stored;
        metrics.FeedbackGiven(header.Role, message.Metadata.Model, stored.Rating, stored.Reason);
        return new(FeedbackOutcome.Done, stored);
    }

    /// <summary>Removes every feedback of the session. The caller holds the write lock.</summary>
    public async Task DeleteAllAsync()
    {
        await store.DeleteSessionAsync(session.Header.Id);
        _byMessage = [];
    }

    private async Task<Dictionary<Guid, MessageFeedback>> LoadAsync() =>
        _byMessage ??= await store.ForSessionAsync(session.Header.Id);

    /// <summary>The message <paramref name="reply"/> answered: its parent, or in rows without parents the message before it.</summary>
    private async Task<SessionMessage?> QuestionOfAsync(SessionMessage reply) => reply.ParentId switch
    {
        { } parent when parent != Guid.Empty => await session.FindExactAsync(parent.ToString()),
        null when reply.Seq > 0 => await session.History.FindAsync(reply.Seq - 1, session.ReadPageAsync),
        _ => null,
    };
}

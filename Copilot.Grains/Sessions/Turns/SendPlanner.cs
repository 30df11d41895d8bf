using Copilot.Grains.Sessions.Storage;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>What a send means in the conversation tree, and the writes of its question part.</summary>
/// <remarks>A send names a message the session may already hold (by its stored id or the client's id). Held with the
/// same text and images and answered: a retry, replayed without calling the model. Held and asked to regenerate (its
/// stored images go to the model again), or the same and with a failed reply: a new reply next to the earlier ones. Held
/// with other text or images: an edit, a new version next to the held message, with the images the edit carries. Not held: a new message after the active leaf.</remarks>
internal sealed class SendPlanner(SessionStore store, TurnRunner turns)
{
    /// <summary>The user message the request names when the session already holds it, else null (a new message).</summary>
    public async Task<SessionMessage?> FindHeldMessageAsync(TurnRequest request)
    {
        if (store.Header.MessageCount == 0)
        {
            return null;
        }

        if (request.ClientMessageId is not { } key)
        {
            return request.RetryUnanswered ? await UnansweredRepeatAsync(request) : null;
        }

        if (!request.Regenerate && store.RecentTurns.Find(key) is null &&
            request.AfterMessageId is { } after && await store.IsLeafAsync(after))
        {
            // It follows the active leaf, which has no children: a new message, found without a search.
            return null;
        }

        return await store.FindForSendAsync(key) is { Role: MessageRole.User } held ? held : null;
    }

    /// <summary>The active leaf's question when <paramref name="request"/> asks the same again
    /// (<see cref="TurnRequest.RetryUnanswered"/>) and it has no answer: its reply left nothing, or its turn never started
    /// (the send that stored it failed before the model was asked); else null.</summary>
    private async Task<SessionMessage?> UnansweredRepeatAsync(TurnRequest request)
    {
        var question = await store.ActiveLeafAsync() switch
        {
            { Role: MessageRole.User } asked when store.Header.InFlight is { } marker
                && marker.UserMessageId == asked.Id && !turns.Knows(marker.TurnId) => asked,
            { Role: MessageRole.Assistant } reply when LeftNothing(reply) =>
                await ConversationTree.ParentAsync(store.History, store.ReadPageAsync, reply),
            _ => null,
        };
        return question is { Role: MessageRole.User } && AsksSame(question, request) ? question : null;
    }

    /// <summary>A reply that gave the user nothing to keep: it failed, or was interrupted before its first text (its silo
    /// died, or its turn never started). Sending its question again asks the model again instead of replaying it.</summary>
    private static bool LeftNothing(SessionMessage reply) =>
        reply.Status == MessageStatus.Failed || (reply.Status == MessageStatus.Interrupted && reply.Content.Length == 0);

    /// <summary>True when <paramref name="request"/> asks what <paramref name="held"/> asked: the same text and the same
    /// images in the same order.</summary>
    public static bool AsksSame(SessionMessage held, TurnRequest request) =>
        held.Content == request.Content &&
        (held.Files ?? []).Select(f => f.Id).SequenceEqual((request.Files ?? []).Select(f => f.Id));

    /// <summary>The turn that answers <paramref name="user"/> again when it is sent again: its newest reply, or the turn
    /// in flight for it; null when there is none or it left nothing (<see cref="LeftNothing"/>), so a retry asks the
    /// model again. A turn marked in flight that this activation never ran (the send that stored it failed before the
    /// turn started) is no answer either: the retry records it interrupted and asks again.</summary>
    public async Task<Guid?> FindAnswerAsync(SessionMessage user)
    {
        if (store.Header.InFlight is { } inFlight && inFlight.UserMessageId == user.Id)
        {
            return turns.Knows(inFlight.TurnId) ? inFlight.TurnId : null;
        }

        var reply = await ConversationTree.NewestReplyAsync(store.History, store.ReadPageAsync, user);
        return reply is not null && !LeftNothing(reply) ? reply.Id : null;
    }

    /// <summary>Stores what the send adds before its reply: nothing but the reply's marker for a held question, a new
    /// version of the held message for an edit, or the new user message.</summary>
    public async Task<(InFlightTurn Marker, SessionMessage User)> StoreQuestionAsync(TurnRequest request, SessionMessage? held)
    {
        if (held is not null && (request.Regenerate || AsksSame(held, request)))
        {
            // The question is stored: only a new reply to it is.
            return (await turns.StoreNewReplyMarkerAsync(held), held);
        }

        if (held is not null)
        {
            // An edit: a new version of the held message, next to it; the old one keeps its branch.
            var parent = await ConversationTree.ParentAsync(store.History, store.ReadPageAsync, held);
            var siblings = await store.Tree.ChildrenAsync(store.History, store.ReadPageAsync, parent);
            return await turns.StoreUserMessageAsync(request, parent?.Id ?? Guid.Empty, siblings);
        }

        return await turns.StoreUserMessageAsync(request);
    }
}

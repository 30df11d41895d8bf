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
        if (request.ClientMessageId is not { } key || store.Header.MessageCount == 0)
        {
            return null;
        }

        if (!request.Regenerate && store.RecentTurns.Find(key) is null &&
            request.AfterMessageId is { } after && await store.IsLeafAsync(after))
        {
            // It follows the active leaf, which has no children: a new message, found without a search.
            return null;
        }

        return await store.FindForSendAsync(key) is { Role: MessageRole.User } held ? held : null;
    }

    /// <summary>True when <paramref name="request"/> asks what <paramref name="held"/> asked: the same text and the same
    /// images in the same order.</summary>
    public static bool AsksSame(SessionMessage held, TurnRequest request) =>
        held.Content == request.Content &&
        (held.Files ?? []).Select(f => f.Id).SequenceEqual((request.Files ?? []).Select(f => f.Id));

    /// <summary>The turn that answers <paramref name="user"/> again when it is sent again: its newest reply, or the turn
    /// in flight for it; null when there is none or it failed, so a retry asks the model again.</summary>
    public async Task<Guid?> FindAnswerAsync(SessionMessage user)
    {
        if (store.Header.InFlight is { } inFlight && inFlight.UserMessageId == user.Id)
        {
            return inFlight.TurnId;
        }

        var reply = await ConversationTree.NewestReplyAsync(store.History, store.ReadPageAsync, user);
        return reply is { Status: not MessageStatus.Failed } ? reply.Id : null;
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

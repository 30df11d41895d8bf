using Copilot.Grains.Feedback;
using Copilot.Grains.Personas;
using Copilot.Grains.Shares;

namespace Copilot.Grains.Sessions;

/// <summary>One conversation (key: the session id), the single writer of its messages.</summary>
/// <remarks>Every call takes the calling user's id. A session owned by someone else answers exactly as one that does
/// not exist: null from reads, <see cref="SessionNotFoundException"/> from writes.</remarks>
[Alias("copilot.ISessionGrain")]
public interface ISessionGrain : IGrainWithGuidKey
{
    /// <summary>Creates the session for <paramref name="userId"/>, or returns it when that user already created it.</summary>
    [Alias("Create")]
    Task<SessionInfo> CreateAsync(Guid userId, PersonaRole role);

    /// <summary>Appends messages in order and returns them as stored (ids, sequence numbers, times).</summary>
    [Alias("Append")]
    Task<IReadOnlyList<SessionMessage>> AppendAsync(Guid userId, IReadOnlyList<NewMessage> messages);

    /// <summary>The session's header, or null when it does not exist for this user.</summary>
    [Alias("GetInfo"), ReadOnly]
    Task<SessionInfo?> GetInfoAsync(Guid userId);

    /// <summary>Up to <paramref name="limit"/> messages of the active path, newest first: from its leaf, or (with
    /// <paramref name="beforeSeq"/>, the sequence number of the oldest message of the previous page) that message's
    /// ancestors.</summary>
    [Alias("GetMessages"), ReadOnly]
    Task<MessagePage?> GetMessagesAsync(Guid userId, long? beforeSeq, int limit);

    /// <summary>Up to <paramref name="limit"/> messages of the active path centred on the message
    /// <paramref name="messageId"/>, newest first, with cursors both ways (<see cref="MessagePage.NextBeforeSeq"/>,
    /// <see cref="MessagePage.NextAfterSeq"/>); no messages when the active path does not hold it; null when the session
    /// does not exist for this user.</summary>
    [Alias("GetMessagesAround"), ReadOnly]
    Task<MessagePage?> GetMessagesAroundAsync(Guid userId, Guid messageId, int limit);

    /// <summary>Up to <paramref name="limit"/> messages of the active path that follow the message numbered
    /// <paramref name="afterSeq"/> (the newest message of the page before), newest first; null when the session does
    /// not exist for this user.</summary>
    [Alias("GetMessagesAfter"), ReadOnly]
    Task<MessagePage?> GetMessagesAfterAsync(Guid userId, long afterSeq, int limit);

    /// <summary>Every message of every branch, oldest first, parents resolved, or null when the session does not exist
    /// for this user.</summary>
    [Alias("GetAllMessages"), ReadOnly]
    Task<IReadOnlyList<SessionMessage>?> GetAllMessagesAsync(Guid userId);

    /// <summary>The active path (the conversation the model sees), oldest first, or null when the session does not
    /// exist for this user.</summary>
    [Alias("GetActivePath"), ReadOnly]
    Task<IReadOnlyList<SessionMessage>?> GetActivePathAsync(Guid userId);

    /// <summary>Makes the path through <paramref name="messageId"/> (a stored or client id) active, below it the newest
    /// child at each step, and returns the new leaf's id; null when the session holds no such message.</summary>
    /// <exception cref="TurnInFlightException">A reply is being generated.</exception>
    [Alias("SwitchBranch")]
    Task<Guid?> SwitchBranchAsync(Guid userId, string messageId);

    /// <summary>Stores the user message, then starts generating the reply in the background. A message the session
    /// holds (by stored or client id) is not stored again: with the same text the turn it started answers (a new reply
    /// when that one failed or when <see cref="TurnRequest.Regenerate"/>), with other text it is edited (a new version
    /// next to it).</summary>
    [Alias("StartTurn")]
    Task<TurnStarted> StartTurnAsync(Guid userId, TurnRequest request);

    /// <summary>Reply text of a turn from <paramref name="offset"/>, waiting up to <paramref name="maxWait"/> for more;
    /// once there is more, up to <paramref name="gather"/> longer for the rest to gather, or until the reply ends,
    /// whichever comes first (so a stream writes what a model sent within that time at once, and the end at once).</summary>
    [Alias("ReadReply"), AlwaysInterleave]
    Task<ReplyProgress> ReadReplyAsync(Guid userId, Guid turnId, int offset, TimeSpan maxWait, TimeSpan gather = default);

    /// <summary>Stops a running turn; the reply is stored as <see cref="MessageStatus.Stopped"/> with what arrived.</summary>
    [Alias("StopTurn"), AlwaysInterleave]
    Task<bool> StopTurnAsync(Guid userId, Guid turnId);

    /// <summary>Renames the session for its owner and returns its header.</summary>
    [Alias("Rename")]
    Task<SessionInfo> RenameAsync(Guid userId, string title);

    /// <summary>Deletes the session and everything it stored (messages, reminder, index entry) now, stopping a reply in
    /// flight first; false when it does not exist for this user. Deleting twice is harmless, and a deletion that storage
    /// interrupted is finished by the next one (true).</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(Guid userId);

    /// <summary>Sets the owner's feedback on a stored reply, replacing any earlier one; null clears it.</summary>
    /// <exception cref="TurnInFlightException">The message is the reply being generated.</exception>
    [Alias("SetFeedback")]
    Task<FeedbackAnswer> SetFeedbackAsync(Guid userId, Guid messageId, MessageFeedback? feedback);

    /// <summary>Snapshots the active path as it is now into a share link valid for <paramref name="lifetime"/>.</summary>
    [Alias("CreateShare")]
    Task<NewShare> CreateShareAsync(Guid userId, TimeSpan lifetime);

    /// <summary>The session's live shares, newest first, or null when the session does not exist for this user.</summary>
    [Alias("ListShares")]
    Task<IReadOnlyList<ShareInfo>?> ListSharesAsync(Guid userId);

    /// <summary>Deletes one of the session's shares; false when it has none with this id.</summary>
    [Alias("RevokeShare")]
    Task<bool> RevokeShareAsync(Guid userId, string shareId);

    /// <summary>Deletes the session when it has been idle for the configured timeout; returns whether it did.</summary>
    [Alias("ExpireIfIdle")]
    Task<bool> ExpireIfIdleAsync();
}

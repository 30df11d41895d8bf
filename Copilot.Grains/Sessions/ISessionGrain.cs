using Copilot.Grains.Personas;

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

    /// <summary>Up to <paramref name="limit"/> messages older than <paramref name="beforeSeq"/> (all when null), newest first.</summary>
    [Alias("GetMessages"), ReadOnly]
    Task<MessagePage?> GetMessagesAsync(Guid userId, long? beforeSeq, int limit);

    /// <summary>Every message, oldest first, or null when the session does not exist for this user.</summary>
    [Alias("GetAllMessages"), ReadOnly]
    Task<IReadOnlyList<SessionMessage>?> GetAllMessagesAsync(Guid userId);

    /// <summary>Stores the user message, then starts generating the reply in the background.</summary>
    [Alias("StartTurn")]
    Task<TurnStarted> StartTurnAsync(Guid userId, TurnRequest request);

    /// <summary>Reply text of a turn from <paramref name="offset"/>, waiting up to <paramref name="maxWait"/> for more.</summary>
    [Alias("ReadReply"), AlwaysInterleave]
    Task<ReplyProgress> ReadReplyAsync(Guid userId, Guid turnId, int offset, TimeSpan maxWait);

    /// <summary>Stops a running turn; the reply is stored as <see cref="MessageStatus.Stopped"/> with what arrived.</summary>
    [Alias("StopTurn"), AlwaysInterleave]
    Task<bool> StopTurnAsync(Guid userId, Guid turnId);

    /// <summary>Renames the session for its owner and returns its header.</summary>
    [Alias("Rename")]
    Task<SessionInfo> RenameAsync(Guid userId, string title);

    /// <summary>Deletes the session and everything it stored (messages, reminder, index entry) now, stopping a reply in
    /// flight first; false when it does not exist for this user. Deleting twice is harmless.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(Guid userId);

    /// <summary>Deletes the session when it has been idle for the configured timeout; returns whether it did.</summary>
    [Alias("ExpireIfIdle")]
    Task<bool> ExpireIfIdleAsync();
}

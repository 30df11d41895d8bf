namespace Copilot.Grains.Feedback;

/// <summary>The feedback table (<c>copilot_feedback</c>): the one place feedback is stored. Written only by the session
/// the feedback belongs to, under its write lock, so a deleted session leaves no row behind.</summary>
public interface IFeedbackStore
{
    /// <summary>Stores <paramref name="rated"/>, replacing the reply's earlier feedback.</summary>
    Task SetAsync(RatedReply rated, CancellationToken cancellationToken = default);

    /// <summary>Removes a reply's feedback; false when it had none.</summary>
    Task<bool> ClearAsync(Guid sessionId, Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>Every feedback of the session, by message id.</summary>
    Task<Dictionary<Guid, MessageFeedback>> ForSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Feedback last set in [<paramref name="since"/>, <paramref name="until"/>), oldest first.</summary>
    IAsyncEnumerable<RatedReply> ListAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Removes every feedback of the session.</summary>
    Task DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Removes every feedback the user gave; returns how many rows.</summary>
    Task<int> DeleteUserAsync(Guid userId, CancellationToken cancellationToken = default);
}

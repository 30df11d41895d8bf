using Copilot.Grains.Feedback;

namespace Copilot.Grains.Sessions;

/// <summary>A page of messages, newest first, with the cursor for the next (older) page.</summary>
[GenerateSerializer, Immutable, Alias("copilot.message-page")]
public sealed record class MessagePage
{
    /// <summary>The messages, newest first.</summary>
    [Id(0)] public required IReadOnlyList<SessionMessage> Messages { get; init; }

    /// <summary>Pass as <c>beforeSeq</c> to get older messages; null when there are none.</summary>
    [Id(1)] public long? NextBeforeSeq { get; init; }

    /// <summary>Pass as <c>afterSeq</c> to get newer messages of the active path; null when there are none or the page
    /// ends at the active leaf (pages read from the leaf never have it).</summary>
    [Id(4)] public long? NextAfterSeq { get; init; }

    /// <summary>The fork table's entries for the page's messages: by parent id (<see cref="Guid.Empty"/> for the first
    /// position), every version at that position, in creation order.</summary>
    [Id(2)] public Dictionary<Guid, IReadOnlyList<Guid>> Forks { get; init; } = [];

    /// <summary>The owner's feedback on the page's replies that have some, by message id.</summary>
    [Id(3)] public Dictionary<Guid, MessageFeedback> Feedback { get; init; } = [];

    /// <summary>The versions at <paramref name="message"/>'s position, or null when it has no other version.</summary>
    public IReadOnlyList<Guid>? VersionsOf(SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Forks.GetValueOrDefault(message.ParentId ?? Guid.Empty);
    }
}

namespace Copilot.Grains.Sessions;

/// <summary>The reply text from a given offset, and whether the reply has ended.</summary>
[GenerateSerializer, Immutable, Alias("copilot.reply-progress")]
public sealed record class ReplyProgress
{
    /// <summary>Reply text from the requested offset up to <see cref="NextOffset"/>.</summary>
    [Id(0)] public required string Text { get; init; }

    /// <summary>The offset (in characters) to ask for next.</summary>
    [Id(1)] public required int NextOffset { get; init; }

    /// <summary>True when the reply has ended and is stored; <see cref="Status"/> says how.</summary>
    [Id(2)] public required bool Done { get; init; }

    /// <summary>How the reply ended, once <see cref="Done"/>.</summary>
    [Id(3)] public MessageStatus? Status { get; init; }

    /// <summary>Why it failed, for <see cref="MessageStatus.Failed"/>.</summary>
    [Id(4)] public string? ErrorCode { get; init; }

    /// <summary>The stored assistant message, once <see cref="Done"/>.</summary>
    [Id(5)] public SessionMessage? Message { get; init; }

    /// <summary>The ids of every version at the stored message's position, in creation order, when there is more than one.</summary>
    [Id(6)] public IReadOnlyList<Guid>? Versions { get; init; }
}

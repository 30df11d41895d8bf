using System.Runtime.CompilerServices;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>The conversation as a tree: every message names its parent, the session has one active leaf, and the fork
/// table lists the rare parents with more than one child. This holds the leaf and the fork table in memory and walks
/// the stored messages along parent ids.</summary>
/// <remarks>
/// Messages stay in sequence order in pages and segments whatever their branch, and a parent is always older than its
/// children, so a path is one newest-first pass over the history that skips other branches: a linear session reads
/// exactly what it read before branches. A message without a stored parent (written before branches) follows the
/// previous message by sequence number. Changes only after the storage write they describe succeeded.
/// </remarks>
internal sealed class ConversationTree
{
    private readonly Dictionary<Guid, List<Guid>> _forks = [];

    /// <summary>The end of the active path; null: the newest message.</summary>
    public ActiveLeaf? Leaf { get; private set; }

    /// <summary>Starts from a stored header; the segments stored after it follow through <see cref="Observe"/>.</summary>
    public void Load(SessionState header)
    {
        _forks.Clear();
        foreach (var fork in header.Forks)
        {
            _forks[fork.ParentId] = [.. fork.Children];
        }

        Leaf = header.ActiveLeaf;
    }

    /// <summary>Records a stored segment: its last message is the new leaf, and its fork entries replace earlier ones.</summary>
    public void Observe(SessionSegment segment)
    {
        foreach (var fork in segment.Forks)
        {
            _forks[fork.ParentId] = [.. fork.Children];
        }

        if (segment.Messages.Count > 0 && (Leaf is null || segment.SegmentNumber >= Leaf.FromSegment))
        {
            var last = segment.Messages[^1];
            Leaf = new ActiveLeaf { MessageId = last.Id, Seq = last.Seq, FromSegment = segment.SegmentNumber };
        }
    }

    /// <summary>Records a switch whose header write succeeded.</summary>
    public void Switched(ActiveLeaf leaf) => Leaf = leaf;

    /// <summary>The fork table as the header stores it.</summary>
    public List<Fork> Snapshot() => [.. _forks.Select(f => new Fork { ParentId = f.Key, Children = [.. f.Value] })];

    /// <summary>The versions at the position of a child of <paramref name="parentId"/> (<see cref="Guid.Empty"/>: the
    /// first position), in creation order; null when there is only one.</summary>
    public IReadOnlyList<Guid>? VersionsAt(Guid parentId) => _forks.TryGetValue(parentId, out var children) ? children : null;

    /// <summary>The active path (from <paramref name="from"/> instead of the leaf when given), newest first, each message
    /// with its parent resolved (<see cref="Guid.Empty"/> for the first).</summary>
    public IAsyncEnumerable<SessionMessage> PathAsync(
        MessageHistory history, Func<int, Task<SessionPage>> readPage, SessionMessage? from = null)
    {
        if (from is not null)
        {
            return WalkAsync(history, readPage, from.Seq + 1, from.Id);
        }

        return Leaf is { } leaf
            ? WalkAsync(history, readPage, leaf.Seq + 1, leaf.MessageId)
            : WalkAsync(history, readPage, long.MaxValue, null);
    }

    /// <summary>The ancestors of the message numbered <paramref name="seq"/>, newest first, parents resolved.</summary>
    public async IAsyncEnumerable<SessionMessage> AncestorsAsync(
        MessageHistory history, Func<int, Task<SessionPage>> readPage, long seq, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (await history.FindAsync(seq, readPage) is not { } message || ParentStep(message) is var step && step == Guid.Empty)
        {
            yield break;
        }

        await foreach (var ancestor in WalkAsync(history, readPage, seq, step, cancellationToken))
        {
            yield return ancestor;
        }
    }

    /// <summary>The children of <paramref name="parent"/> (null: the first position), in creation order.</summary>
    public async Task<List<Guid>> ChildrenAsync(MessageHistory history, Func<int, Task<SessionPage>> readPage, SessionMessage? parent)
    {
        if (_forks.TryGetValue(parent?.Id ?? Guid.Empty, out var children))
        {
            return [.. children];
        }

        // Not a fork: one child at most, newer than its parent.
        await foreach (var message in history.NewestFirstAsync(long.MaxValue, readPage))
        {
            if (message.Seq <= (parent?.Seq ?? -1))
            {
                break;
            }

            if (IsChildOf(message, parent))
            {
                return [message.Id];
            }
        }

        return [];
    }

    /// <summary>The newest reply to <paramref name="user"/>, or null when none is stored.</summary>
    public static async Task<SessionMessage?> NewestReplyAsync(
        MessageHistory history, Func<int, Task<SessionPage>> readPage, SessionMessage user)
    {
        await foreach (var message in history.NewestFirstAsync(long.MaxValue, readPage))
        {
            if (message.Seq <= user.Seq)
            {
                break;
            }

            if (message.Role == MessageRole.Assistant && IsChildOf(message, user))
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>The parent of <paramref name="message"/>, or null for a first message.</summary>
    public static async Task<SessionMessage?> ParentAsync(
        MessageHistory history, Func<int, Task<SessionPage>> readPage, SessionMessage message)
    {
        var step = ParentStep(message);
        if (step == Guid.Empty)
        {
            return null;
        }

        await foreach (var older in history.NewestFirstAsync(message.Seq, readPage))
        {
            if (step is null || older.Id == step)
            {
                return older;
            }
        }

        return null;
    }

    /// <summary>The newest leaf below <paramref name="message"/>: its newest child, that child's newest child, and so on.</summary>
    public static async Task<SessionMessage> NewestLeafBelowAsync(
        MessageHistory history, Func<int, Task<SessionPage>> readPage, SessionMessage message)
    {
        // One newest-first pass over the messages after it: the first child seen of each parent is its newest.
        var newer = new List<SessionMessage>();
        await foreach (var candidate in history.NewestFirstAsync(long.MaxValue, readPage))
        {
            if (candidate.Seq <= message.Seq)
            {
                break;
            }

            newer.Add(candidate);
        }

        var idBySeq = newer.ToDictionary(m => m.Seq, m => m.Id);
        idBySeq[message.Seq] = message.Id;
        var newestChild = new Dictionary<Guid, SessionMessage>();
        foreach (var candidate in newer)
        {
            var parent = candidate.ParentId ?? idBySeq.GetValueOrDefault(candidate.Seq - 1);
            newestChild.TryAdd(parent, candidate);
        }

        var leaf = message;
        while (newestChild.TryGetValue(leaf.Id, out var child))
        {
            leaf = child;
        }

        return leaf;
    }

    /// <summary>Every message in sequence order with its parent resolved: a row written before branches follows the
    /// previous message.</summary>
    public static List<SessionMessage> ResolveParents(List<SessionMessage> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].ParentId is null)
            {
                all[i] = all[i] with { ParentId = i == 0 ? Guid.Empty : all[i - 1].Id };
            }
        }

        return all;
    }

    /// <summary>Where a path goes after <paramref name="message"/>: its parent's id, <see cref="Guid.Empty"/> when it is
    /// a first message, or null for "the previous message" (a row written before branches).</summary>
    private static Guid? ParentStep(SessionMessage message) =>
        message.ParentId ?? (message.Seq == 0 ? Guid.Empty : null);

    private static bool IsChildOf(SessionMessage message, SessionMessage? parent) => parent is null
        ? message.ParentId == Guid.Empty || (message.ParentId is null && message.Seq == 0)
        : message.ParentId == parent.Id || (message.ParentId is null && message.Seq == parent.Seq + 1);

    /// <summary>Follows parent ids down from the message <paramref name="wanted"/> (null: the newest below
    /// <paramref name="beforeSeq"/>), yielding each path message once the next one resolves its parent.</summary>
    private static async IAsyncEnumerable<SessionMessage> WalkAsync(
        MessageHistory history, Func<int, Task<SessionPage>> readPage, long beforeSeq, Guid? wanted,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SessionMessage? pending = null;
        await foreach (var message in history.NewestFirstAsync(beforeSeq, readPage, cancellationToken))
        {
            if (wanted is { } id && message.Id != id)
            {
                continue;
            }

            if (pending is not null)
            {
                yield return pending with { ParentId = pending.ParentId ?? message.Id };
            }

            pending = message;
            wanted = ParentStep(message);
            if (wanted == Guid.Empty)
            {
                break;
            }
        }

        if (pending is not null)
        {
            yield return pending with { ParentId = pending.ParentId ?? Guid.Empty };
        }
    }
}

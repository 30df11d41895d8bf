namespace Copilot.Chaos.Workload;

/// <summary>Why a user sent a message: to converse, or to press on the per-user stream limit.</summary>
internal enum SendKind
{
    /// <summary>The next message of a conversation, read to its end.</summary>
    Converse,

    /// <summary>A message whose client leaves after the reply's first chunk.</summary>
    Abandon,

    /// <summary>One of a burst of concurrent messages, each in a session of its own, more than the stream limit allows.</summary>
    Burst,
}

namespace Copilot.Grains.Feedback;

/// <summary>Why a reply was rated as it was: a small fixed set, so that metrics can count by it. Stored and sent on the
/// wire in snake_case (<c>not_helpful</c>).</summary>
public enum FeedbackReason
{
    /// <summary>The reply is factually or technically wrong.</summary>
    Wrong,

    /// <summary>The reply leaves out something that matters.</summary>
    Incomplete,

    /// <summary>Following the reply could hurt someone or damage something.</summary>
    Unsafe,

    /// <summary>Correct, perhaps, but of no use for the question.</summary>
    NotHelpful,

    /// <summary>The reply was just what was needed.</summary>
    Great,
}

namespace Copilot.Chaos.Checking;

/// <summary>How an invariant fared.</summary>
internal enum Verdict
{
    /// <summary>It held.</summary>
    Passed,

    /// <summary>It was violated.</summary>
    Failed,

    /// <summary>Nothing in the run could test it.</summary>
    Skipped,
}

namespace Copilot.Bench.Phases;

/// <summary>The silo's working set before and after activating <see cref="Sessions"/> sessions of
/// <see cref="TurnsPerSession"/> turns each, each reading after a forced GC.</summary>
internal sealed record class MemoryFigure(
    int Sessions,
    int Users,
    int TurnsPerSession,
    int ReplyChars,
    long WorkingSetBefore,
    long WorkingSetAfter,
    int? SessionActivationsBefore,
    int? SessionActivationsAfter,
    double SessionsFilledPerSecond,
    string FillMethod)
{
    /// <summary>Working-set growth per session, in bytes.</summary>
    public double BytesPerSession => (double)(WorkingSetAfter - WorkingSetBefore) / Sessions;
}

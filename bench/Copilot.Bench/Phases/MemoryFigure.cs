namespace Copilot.Bench.Phases;

/// <summary>The silo's working set before and after activating <see cref="Sessions"/> sessions, each after a forced GC.</summary>
internal sealed record class MemoryFigure(
    int Sessions,
    int Users,
    long WorkingSetBefore,
    long WorkingSetAfter,
    int? SessionActivationsBefore,
    int? SessionActivationsAfter,
    double SessionsCreatedPerSecond)
{
    /// <summary>Working-set growth per session, in bytes.</summary>
    public double BytesPerSession => (double)(WorkingSetAfter - WorkingSetBefore) / Sessions;
}

using Copilot.Bench.Measuring;

namespace Copilot.Bench.Phases;

/// <summary>One side of the streaming phase at one concurrency.</summary>
/// <param name="Side">Whose route: ours (with its variant) or the seed's on Node.</param>
/// <param name="Surface">The route: <c>POST /api/copilot</c> or <c>POST /v1/chat</c>.</param>
/// <param name="Users">Concurrent users, each in their own session.</param>
/// <param name="PerSecond">Turns that ended inside the window, per second.</param>
/// <param name="Cpu">CPU ms per turn: service, PostgreSQL, model server, client.</param>
/// <param name="FirstText">From sending the request to the first text, ms.</param>
/// <param name="FirstTextContinued">The same, of the turns that continued a session (each user's first turn creates
/// its session, which asks for more writes before the model is called).</param>
/// <param name="LongestPause">The longest wait between two reads of one reply after its first text, ms.</param>
/// <param name="MemoryPerStreamKiB">The service's resident memory during the window above its idle figure, per open stream.</param>
/// <param name="Errors">Turns that failed, or whose reply did not arrive whole.</param>
/// <param name="FirstError">The first failure.</param>
/// <param name="StoredChecked">Sessions whose stored reply was compared with the one streamed (all of them matched when no error).</param>
/// <param name="OtherProcessesCpuShare">The machine's CPU share used by anything else in the window.</param>
internal sealed record class StreamFigure(
    string Side,
    string Surface,
    int Users,
    double PerSecond,
    StreamCpu? Cpu,
    LatencySummary FirstText,
    LatencySummary FirstTextContinued,
    LatencySummary LongestPause,
    double? MemoryPerStreamKiB,
    int Errors,
    string? FirstError,
    int StoredChecked,
    double OtherProcessesCpuShare);

/// <summary>CPU ms per streamed turn, by process.</summary>
internal sealed record class StreamCpu(double Service, double Postgres, double Model, double Client)
{
    /// <summary>What the target counts: the service and PostgreSQL.</summary>
    public double ServiceAndPostgres => Service + Postgres;
}

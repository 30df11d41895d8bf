using System.Diagnostics.Metrics;
using Copilot.Grains.Feedback;
using Copilot.Grains.Personas;

namespace Copilot.Grains.Telemetry;

/// <summary>The service's own instruments, on the <see cref="MeterName"/> meter.</summary>
/// <remarks>Tags carry only bounded values (persona, outcome, error code, reason): never a message, a user id or a
/// token, so neither content nor identities reach a metrics backend.</remarks>
public sealed class CopilotMetrics
{
    /// <summary>The meter's name, to enable it in an OpenTelemetry pipeline.</summary>
    public const string MeterName = "Copilot";

    // One meter for the process, never disposed: a per-host meter (IMeterFactory) would be torn down with its host,
    // and OpenTelemetry merges same-named instruments, so several hosts in one process (tests) would lose counts.
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Turns = Meter.CreateCounter<long>(
        "copilot.turns", "{turn}", "Turns finished, by outcome (complete, stopped, failed, interrupted) and persona.");

    private static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>(
        "copilot.turn.time_to_first_token", "s", "Time from the start of the model call to the first text of the reply.");

    private static readonly Histogram<double> TurnDuration = Meter.CreateHistogram<double>(
        "copilot.turn.duration", "s", "Time from the start of the model call to the end of the reply.");

    private static readonly Counter<long> ModelTokens = Meter.CreateCounter<long>(
        "copilot.model.tokens", "{token}", "Model tokens charged, by direction (input, output): as the model reported them, else estimated.");

    private static readonly UpDownCounter<long> ActiveSessions = Meter.CreateUpDownCounter<long>(
        "copilot.sessions.active", "{session}", "Sessions held in memory (activated) on this silo.");

    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "copilot.requests.rejected", "{request}", "Requests refused by a limit, by reason (rate_limited, concurrent_streams, quota_exceeded).");

    private static readonly Counter<long> Feedback = Meter.CreateCounter<long>(
        "copilot.feedback", "{feedback}", "Feedback set on replies, by persona, model, rating (up, down) and reason (none when not given).");

    private readonly TimeProvider _time;

    /// <summary>Measures time with <paramref name="time"/>.</summary>
    public CopilotMetrics(TimeProvider time)
    {
        _time = time;
    }

    public void SessionActivated() => ActiveSessions.Add(1);

    public void SessionDeactivated() => ActiveSessions.Add(-1);

    /// <summary>A request was refused by a limit; <paramref name="reason"/> is one of a few fixed words.</summary>
    public void RequestRejected(string reason) => Rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Feedback was set on a reply; the comment and the reply's text are never tags.</summary>
    public void FeedbackGiven(PersonaRole persona, string? model, FeedbackRating rating, FeedbackReason? reason) =>
        Feedback.Add(
            1,
            new System.Diagnostics.TagList
            {
                Persona(persona),
                { "model", model ?? "unknown" },
                { "rating", rating.ToWireName() },
                { "reason", reason?.ToWireName() ?? "none" },
            });

    /// <summary>Starts timing a model call for a turn of <paramref name="persona"/>.</summary>
    internal TurnMeasurement StartTurn(PersonaRole persona) => new(this, persona, _time.GetTimestamp());

    internal TimeSpan Since(long start) => _time.GetElapsedTime(start);

    internal void RecordFirstToken(PersonaRole persona, TimeSpan elapsed) =>
        TimeToFirstToken.Record(elapsed.TotalSeconds, Persona(persona));

    internal void RecordTurn(PersonaRole persona, string outcome, string? errorCode, TimeSpan elapsed, long? inputTokens, long? outputTokens)
    {
        var tags = new System.Diagnostics.TagList { Persona(persona), { "outcome", outcome } };
        if (errorCode is not null)
        {
            tags.Add("error_code", errorCode);
        }

        Turns.Add(1, tags);
        TurnDuration.Record(elapsed.TotalSeconds, tags);
        if (inputTokens is > 0)
        {
            ModelTokens.Add(inputTokens.Value, new KeyValuePair<string, object?>("direction", "input"));
        }

        if (outputTokens is > 0)
        {
            ModelTokens.Add(outputTokens.Value, new KeyValuePair<string, object?>("direction", "output"));
        }
    }

    private static KeyValuePair<string, object?> Persona(PersonaRole persona) => new("persona", persona.ToWireName());
}

using System.Diagnostics.Metrics;
using Copilot.Grains.Personas;

namespace Copilot.Grains.Telemetry;

/// <summary>The service's own instruments, on the <see cref="MeterName"/> meter.</summary>
/// <remarks>Tags carry only bounded values (persona, outcome, error code, reason): never a message, a user id or a
/// token, so neither content nor identities reach a metrics backend.</remarks>
public sealed class CopilotMetrics
{
    /// <summary>The meter's name, to enable it in an OpenTelemetry pipeline.</summary>
    public const string MeterName = "Copilot";

    private readonly TimeProvider _time;
    private readonly Counter<long> _turns;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _turnDuration;
    private readonly Counter<long> _modelTokens;
    private readonly UpDownCounter<long> _activeSessions;
    private readonly Counter<long> _rejected;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public CopilotMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _turns = meter.CreateCounter<long>(
            "copilot.turns", "{turn}", "Turns finished, by outcome (complete, stopped, failed, interrupted) and persona.");
        _timeToFirstToken = meter.CreateHistogram<double>(
            "copilot.turn.time_to_first_token", "s", "Time from the start of the model call to the first text of the reply.");
        _turnDuration = meter.CreateHistogram<double>(
            "copilot.turn.duration", "s", "Time from the start of the model call to the end of the reply.");
        _modelTokens = meter.CreateCounter<long>(
            "copilot.model.tokens", "{token}", "Model tokens used, by direction (input, output), as the model reported them.");
        _activeSessions = meter.CreateUpDownCounter<long>(
            "copilot.sessions.active", "{session}", "Sessions held in memory (activated) on this silo.");
        _rejected = meter.CreateCounter<long>(
            "copilot.requests.rejected", "{request}", "Requests refused by a limit, by reason (rate_limited, concurrent_streams, quota_exceeded).");
    }

    /// <summary>A session was activated on this silo.</summary>
    public void SessionActivated() => _activeSessions.Add(1);

    /// <summary>A session was deactivated on this silo.</summary>
    public void SessionDeactivated() => _activeSessions.Add(-1);

    /// <summary>A request was refused by a limit; <paramref name="reason"/> is one of a few fixed words.</summary>
    public void RequestRejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Starts timing a model call for a turn of <paramref name="persona"/>.</summary>
    public TurnMeasurement StartTurn(PersonaRole persona) => new(this, persona, _time.GetTimestamp());

    internal TimeSpan Since(long start) => _time.GetElapsedTime(start);

    internal void RecordFirstToken(PersonaRole persona, TimeSpan elapsed) =>
        _timeToFirstToken.Record(elapsed.TotalSeconds, Persona(persona));

    internal void RecordTurn(PersonaRole persona, string outcome, string? errorCode, TimeSpan elapsed, long? inputTokens, long? outputTokens)
    {
        var tags = new System.Diagnostics.TagList { Persona(persona), { "outcome", outcome } };
        if (errorCode is not null)
        {
            tags.Add("error_code", errorCode);
        }

        _turns.Add(1, tags);
        _turnDuration.Record(elapsed.TotalSeconds, tags);
        if (inputTokens is > 0)
        {
            _modelTokens.Add(inputTokens.Value, new KeyValuePair<string, object?>("direction", "input"));
        }

        if (outputTokens is > 0)
        {
            _modelTokens.Add(outputTokens.Value, new KeyValuePair<string, object?>("direction", "output"));
        }
    }

    private static KeyValuePair<string, object?> Persona(PersonaRole persona) => new("persona", persona.ToWireName());
}

using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;

namespace Copilot.Grains.Telemetry;

/// <summary>The timing of one turn's model call, from its start to its first text and its end.</summary>
internal sealed class TurnMeasurement
{
    private readonly CopilotMetrics _metrics;
    private readonly PersonaRole _persona;
    private readonly long _start;
    private bool _firstTokenSeen;

    internal TurnMeasurement(CopilotMetrics metrics, PersonaRole persona, long start)
    {
        _metrics = metrics;
        _persona = persona;
        _start = start;
    }

    /// <summary>Call with each chunk of reply text; the first non-empty one is the time to first token.</summary>
    public void Text(string? text)
    {
        if (!_firstTokenSeen && !string.IsNullOrEmpty(text))
        {
            _firstTokenSeen = true;
            _metrics.RecordFirstToken(_persona, _metrics.Since(_start));
        }
    }

    /// <summary>Records the finished turn: its outcome, duration and the model's token counts.</summary>
    public void Finish(MessageStatus status, MessageMetadata reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        _metrics.RecordTurn(
            _persona,
            status.ToString().ToLowerInvariant(),
            reply.ErrorCode,
            _metrics.Since(_start),
            reply.InputTokens,
            reply.OutputTokens);
    }
}

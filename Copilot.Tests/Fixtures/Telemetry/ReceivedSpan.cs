namespace Copilot.Tests.Fixtures.Telemetry;

/// <summary>One span as an OTLP receiver got it.</summary>
/// <param name="Scope">The instrumentation scope (e.g. <c>Npgsql</c>, <c>Microsoft.AspNetCore</c>).</param>
/// <param name="TraceId">The trace id, hex.</param>
/// <param name="SpanId">The span id, hex.</param>
/// <param name="ParentSpanId">The parent's span id, hex; empty for a root span.</param>
/// <param name="Name">The span name.</param>
/// <param name="Kind">The OTLP span kind (1 internal, 2 server, 3 client, 4 producer, 5 consumer).</param>
/// <param name="Attributes">The attributes, every value as text.</param>
public sealed record class ReceivedSpan(
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes);

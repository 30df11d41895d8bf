namespace Copilot.Silo.Hosting;

/// <summary>Metrics and traces, bound from <c>Copilot:Telemetry</c>. OTLP export is configured by the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables and is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Copilot:Telemetry";

    /// <summary>Serve a Prometheus scrape endpoint at <see cref="TelemetryHosting.MetricsPath"/>. Default true.</summary>
    public bool Prometheus { get; set; } = true;
}

using Copilot.Api;
using Copilot.Grains.Telemetry;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Copilot.Silo.Hosting;

/// <summary>OpenTelemetry: our meter with ASP.NET Core's, Npgsql's, HttpClient's and Orleans'; a Prometheus scrape
/// endpoint; and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, OTLP export of metrics and of traces that follow a
/// request from HTTP through the grain call to PostgreSQL and the model call.</summary>
/// <remarks>What the instrumentations record: SQL text with parameter placeholders (never values), HTTP methods,
/// routes and status codes with query string values redacted, paths with a share link's token replaced by
/// <c>{token}</c>, grain interface and method names. Request and response bodies and headers (the bearer token among
/// them) are never recorded.</remarks>
public static class TelemetryHosting
{
    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The service name in exported telemetry.</summary>
    public const string ServiceName = "copilot";

    /// <summary>The environment variable (or configuration key) that turns OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>Sets the default log levels (<see cref="LoggingDefaults"/>), and registers the meters, the Prometheus exporter (unless <c>Copilot:Telemetry:Prometheus=false</c>) and OTLP
    /// export of metrics and traces (when an OTLP endpoint is configured).</summary>
    public static WebApplicationBuilder AddCopilotTelemetry(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddCopilotLoggingDefaults();
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        if (!options.Prometheus && !otlp)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(CopilotMetrics.MeterName, "Microsoft.Orleans")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddView(instrument => instrument.Meter.Name == NpgsqlMeter
                        ? new MetricStreamConfiguration { TagKeys = NpgsqlTagsShown }
                        : null);
                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            // Traces only when they go somewhere: sampling spans nobody receives costs every request.
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context => !IsOperationsPath(context.Request.Path);

                    // A share link's token in a path would let anyone who reads the traces read the conversation.
                    o.EnrichWithHttpRequest = (activity, request) => activity.SetTag(UrlPathTag, ApiHosting.PathForTelemetry(request.Path));
                })
                .AddSource(OrleansSources)
                .AddNpgsql()
                .AddHttpClientInstrumentation());
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    private const string NpgsqlMeter = "Npgsql";

    private const string UrlPathTag = "url.path";

    // Npgsql labels a pool with its connection string (host, port, user, database) and an operation with the server's
    // address and database: the scrape is anonymous, so only these labels are kept.
    private static readonly string[] NpgsqlTagsShown =
        ["db.client.connection.state", "db.system.name", "db.operation.name", "db.response.status_code", "error.type"];

    /// <summary>Maps the Prometheus scrape endpoint when it is enabled.</summary>
    public static WebApplication MapCopilotMetrics(this WebApplication app)
    {
        if (app.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.Prometheus ?? true)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        }

        return app;
    }

    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments(HealthHosting.LivenessPath)
        || path.StartsWithSegments(HealthHosting.ReadinessPath);
}

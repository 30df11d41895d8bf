using System.Text.Json;
using Copilot.Silo.Database;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Copilot.Silo.Hosting;

/// <summary>Liveness (<c>/healthz</c>: the process answers) and readiness (<c>/readyz</c>: PostgreSQL reachable and this
/// silo active in the cluster) on the ASP.NET Core health-check framework.</summary>
public static class HealthHosting
{
    /// <summary>The liveness path: 200 whenever the process serves HTTP.</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>The readiness path: 200 when every readiness check passes, 503 naming the failing ones otherwise.</summary>
    public const string ReadinessPath = "/readyz";

    /// <summary>The PostgreSQL check's name.</summary>
    public const string PostgresCheck = "postgresql";

    /// <summary>The cluster membership check's name.</summary>
    public const string SiloCheck = "orleans-silo";

    private const string ReadyTag = "ready";

    /// <summary>Registers the readiness checks.</summary>
    public static IHostApplicationBuilder AddCopilotHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddNpgSql(
                sp => sp.GetRequiredService<CopilotDatabase>().DataSource,
                name: PostgresCheck,
                tags: [ReadyTag],
                timeout: TimeSpan.FromSeconds(5))
            .AddCheck<SiloActiveCheck>(SiloCheck, tags: [ReadyTag]);
        return builder;
    }

    /// <summary>Maps <see cref="LivenessPath"/> and <see cref="ReadinessPath"/>, open to anyone (probes carry no token).</summary>
    public static WebApplication MapCopilotHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous();
        return app;
    }

    /// <summary><c>{"status":"unhealthy","failing":["postgresql"],"checks":{"postgresql":"unhealthy",...}}</c>; no
    /// exception text, which may carry host names.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = Wire(report.Status),
            failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToArray(),
            checks = report.Entries.ToDictionary(e => e.Key, e => Wire(e.Value.Status)),
        }));
    }

    private static string Wire(HealthStatus status) => status.ToString().ToLowerInvariant();
}

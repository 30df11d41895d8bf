using System.Net;
using System.Text.Json;
using Copilot.Api.Admin;
using Copilot.Api.Auth;
using Copilot.Api.ChatConsole;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.RateLimiting;
using Copilot.Api.Seed;
using Copilot.Api.V1;
using Copilot.Api.V1.Chat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Scalar.AspNetCore;

namespace Copilot.Api;

/// <summary>Registers what the HTTP surface needs: options, auth, JSON format, error answers and the API description.</summary>
public static class ApiHosting
{
    /// <summary>Where the OpenAPI document of both surfaces is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>Where the API reference page is served.</summary>
    public const string DocsPath = "/docs";

    /// <summary>The reference page's policy: its script, styles and fonts come from this origin (the page configures
    /// itself with an inline script and styles itself at run time), it reads only this origin's document, and it is
    /// never framed.</summary>
    public const string DocsContentSecurityPolicy =
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        + "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
        + "frame-ancestors 'none'; object-src 'none'";

    /// <summary>The request path as telemetry may record it: a share link's token, which is the right to read a
    /// conversation (the service itself keeps only its hash), is replaced by <c>{token}</c>.</summary>
    public static string PathForTelemetry(PathString path) => SharesApi.WithoutToken(path.Value ?? "");

    public static IHostApplicationBuilder AddCopilotApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName)
            .Validate<IOptions<AuthOptions>>(
                (admin, auth) => auth.Value.Mode != AuthMode.Jwt || string.IsNullOrEmpty(admin.CronSecret) ||
                    System.Text.Encoding.UTF8.GetByteCount(admin.CronSecret) >= AdminOptions.MinSecretBytes,
                $"Copilot:Admin:CronSecret (Copilot__Admin__CronSecret) must be at least {AdminOptions.MinSecretBytes} bytes when Copilot:Auth:Mode is Jwt.")
            .ValidateOnStart();
        builder.Services.AddSingleton<UserData>();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateSettings(ApiOptions.SectionName)
            .Validate(
                o => o.TrustedProxiesAreValid(),
                "Copilot:Api:TrustedProxies (Copilot__Api__TrustedProxies__N) must list IP addresses or networks (10.0.0.0/8).")
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((forwarded, api) =>
        {
            // Only the client address: the scheme and host stay the request's own. ASP.NET Core trusts loopback by
            // default; here only what is configured is trusted.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var entry in api.Value.TrustedProxies)
            {
                if (IPAddress.TryParse(entry, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
                else
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
            }
        });
        builder.Services.AddOptions<FilesOptions>().BindConfiguration(FilesOptions.SectionName).ValidateSettings(FilesOptions.SectionName)
            .Validate(o => o.UrlLifetime >= TimeSpan.FromSeconds(1), "Copilot:Files:UrlLifetime must be at least 1 second.")
            .Validate(
                o => o.UnsentFileLifetime > TimeSpan.Zero,
                "Copilot:Files:UnsentFileLifetime must be positive: an upload deletes its owner's images unsent for longer, so 0 would delete the photos of a message before it is sent.")
            .Validate(
                o => string.IsNullOrEmpty(o.UrlSigningKey) || (Convert.TryFromBase64String(o.UrlSigningKey, new byte[o.UrlSigningKey.Length], out var n) && n >= 32),
                "Copilot:Files:UrlSigningKey must be base64 of at least 32 bytes.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ImageProcessor>();
        builder.Services.AddSingleton<FileUrlKey>();

        // Before the silo and the server start, after the database is ready (AddCopilotDatabase comes first).
        builder.Services.AddHostedService(services => services.GetRequiredService<FileUrlKey>());
        builder.Services.AddSingleton<FileUrls>();
        builder.Services.AddSingleton<FileIntake>();
        builder.Services.AddSingleton<ChatFileResolver>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<ApiOptions>>((cors, api) =>
        {
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins(api.Value.AllowedOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType)
                .WithExposedHeaders(PlainTextReply.SessionIdHeader)
                .SetPreflightMaxAge(TimeSpan.FromHours(1)));

            // The AI SDK resumes with GET, sessions are renamed and deleted, a branch switch and feedback are PUT, and
            // EventSource clients resume with Last-Event-ID.
            cors.AddPolicy(V1Routes.CorsPolicy, policy => policy
                .WithOrigins(api.Value.AllowedOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType, UiMessageStream.LastEventIdHeader)
                .WithExposedHeaders(UiMessageStream.ProtocolHeader)
                .SetPreflightMaxAge(TimeSpan.FromHours(1)));
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOpenApi(ApiDescription.Configure);
        builder.AddCopilotAuth();
        builder.Services.AddCopilotSendLimits();
        builder.Services.AddCopilotShareReadLimit();
        return builder;
    }

    /// <summary>Adds the middleware and maps every endpoint.</summary>
    public static WebApplication UseCopilotApi(this WebApplication app)
    {
        // First, so that the limits and the logs see the client's address. With no proxy trusted the middleware is left
        // out: with empty lists it would believe every sender.
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        app.Use(Harden);
        app.UseExceptionHandler();

        // A refusal the framework answers with an empty body (an unknown /v1 route, a wrong method or content type, a
        // parameter that cannot be bound) gets the surface's error body with a code, like every other refusal.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (ApiErrors.ForEmptyResponse(http.Response.StatusCode, http.Request) is { } fault)
            {
                await fault.WriteAsync(http);
            }
        });
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapSeedApi();
        app.MapV1Chat();
        app.MapV1Sessions();
        app.MapV1Files();
        app.MapV1Feedback();
        app.MapV1Shares();
        app.MapV1Search();
        app.MapCopilotAdmin();
        app.MapOpenApi(OpenApiPath).AllowAnonymous();

        // Served from the assets bundled in the package: the page loads nothing from the internet.
        app.MapScalarApiReference(DocsPath, options => options
            .WithTitle("Copilot session service API")
            .WithOpenApiRoutePattern(OpenApiPath)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp())
            .AllowAnonymous();
        app.MapCopilotConsole();
        return app;
    }

    /// <summary>Headers on every response, set when it starts so that error answers keep them; the reference page also
    /// gets a policy that lets it run its own bundled script and styles but never be framed.</summary>
    private static Task Harden(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            if (context.Request.Path.StartsWithSegments(DocsPath))
            {
                headers.ContentSecurityPolicy = DocsContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}

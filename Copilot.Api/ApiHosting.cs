using System.Text.Json;
using Copilot.Api.Admin;
using Copilot.Api.Auth;
using Copilot.Api.ChatConsole;
using Copilot.Api.Errors;
using Copilot.Api.RateLimiting;
using Copilot.Api.Seed;
using Copilot.Api.V1;
using Copilot.Api.V1.Chat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
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

    public static IHostApplicationBuilder AddCopilotApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName);
        builder.Services.AddSingleton<UserData>();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
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

            // The AI SDK resumes with GET, sessions are renamed and deleted, and EventSource clients resume with Last-Event-ID.
            cors.AddPolicy(V1Routes.CorsPolicy, policy => policy
                .WithOrigins(api.Value.AllowedOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Patch, HttpMethods.Delete)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType, UiMessageStream.LastEventIdHeader)
                .WithExposedHeaders(UiMessageStream.ProtocolHeader)
                .SetPreflightMaxAge(TimeSpan.FromHours(1)));
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOpenApi(ApiDescription.Configure);
        builder.AddCopilotAuth();
        builder.Services.AddCopilotSendLimits();
        return builder;
    }

    /// <summary>Adds the middleware and maps every endpoint.</summary>
    public static WebApplication UseCopilotApi(this WebApplication app)
    {
        app.UseExceptionHandler();

        // An unknown /v1 route gets a problem like every other /v1 error, not an empty 404.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.StatusCode == StatusCodes.Status404NotFound && ApiFault.UsesProblems(http.Request))
            {
                await ApiErrors.RouteNotFound.ToProblem().ExecuteAsync(http);
            }
        });
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapSeedApi();
        app.MapV1Chat();
        app.MapV1Sessions();
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
}

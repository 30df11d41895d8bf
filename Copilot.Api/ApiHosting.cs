using System.Text.Json;
using Copilot.Api.Admin;
using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.RateLimiting;
using Copilot.Api.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api;

/// <summary>Registers what the HTTP surface needs: options, auth, JSON format and error answers.</summary>
public static class ApiHosting
{
    /// <summary>Adds the API's services.</summary>
    public static IHostApplicationBuilder AddCopilotApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName);
        builder.Services.AddSingleton<UserData>();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<ApiOptions>>((cors, api) =>
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins(api.Value.AllowedOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType)
                .WithExposedHeaders(PlainTextReply.SessionIdHeader)
                .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.AddCopilotAuth();
        builder.Services.AddCopilotSendLimits();
        return builder;
    }

    /// <summary>Adds the middleware and maps every endpoint.</summary>
    public static WebApplication UseCopilotApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapCopilotApi();
        app.MapCopilotAdmin();
        return app;
    }
}

using System.Globalization;
using System.Text.Json;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.Shared;
using Copilot.Grains.Feedback;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Admin;

/// <summary>Operator calls, authorized by their own secret rather than a user token.</summary>
internal static class AdminApi
{
    /// <summary>The content type of an export: one JSON object per line.</summary>
    public const string NdjsonContentType = "application/x-ndjson";

    /// <summary>The feedback listed when no <c>since</c> is given: this long before <c>until</c>.</summary>
    public static readonly TimeSpan DefaultFeedbackWindow = TimeSpan.FromDays(7);

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    /// <summary>Maps <c>GET /api/cron/cleanup-copilot-sessions</c> (the seed's path, for its cron job) and the data-rights
    /// calls under <c>/api/admin/users</c>; none is in the public API description.</summary>
    public static RouteGroupBuilder MapCopilotAdmin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/cron").AllowAnonymous().AddEndpointFilter<AdminSecretFilter>().ExcludeFromDescription();
        group.MapGet("/cleanup-copilot-sessions", SweepAsync);
        var users = endpoints.MapGroup("/api/admin/users").AllowAnonymous().AddEndpointFilter<AdminSecretFilter>().ExcludeFromDescription();
        users.MapDelete("/{userId:guid}", DeleteUserAsync);
        users.MapPost("/deleted", UserDeletedHookAsync).Accepts<JsonElement>("application/json");
        users.MapGet("/{userId:guid}/export", ExportUser);
        endpoints.MapGet("/api/admin/feedback", ExportFeedback).AllowAnonymous().AddEndpointFilter<AdminSecretFilter>().ExcludeFromDescription();
        return group;
    }

    /// <summary>Deletes every user's images that no message has shown for their lifetime (their owner's next upload
    /// would, but some never upload again), expires every session idle past the timeout, and says how many of each.</summary>
    public static async Task<Ok<SweepResult>> SweepAsync(
        HttpContext httpContext, ISessionSweeper sweeper, IFileStore files, IOptions<FilesOptions> filesOptions)
    {
        // The images first: the sessions' sweep fails after trying them all when one cannot be expired now, and such a
        // session must not keep the images from going.
        var unsentFiles = await files.DeleteUnsentAsync(filesOptions.Value.UnsentFileLifetime, httpContext.RequestAborted);
        var expired = await sweeper.SweepAsync(httpContext.RequestAborted);
        return TypedResults.Ok(new SweepResult(true, expired, unsentFiles));
    }

    /// <summary>Deletes every session of the user and says how many; deleting again answers 0. The deletion runs to
    /// its end even when the caller hangs up (<see cref="UserData.DeleteAsync"/>).</summary>
    public static async Task<Ok<UserDeleteResult>> DeleteUserAsync(Guid userId, UserData userData) =>
        TypedResults.Ok(new UserDeleteResult(true, await userData.DeleteAsync(userId)));

    /// <summary>A Supabase database webhook on <c>auth.users</c> deletes: the deleted user's id is
    /// <c>old_record.id</c>. Deletes that user's sessions, as <see cref="DeleteUserAsync"/>. The body is read only
    /// after the secret is checked, within <see cref="ApiOptions.MaxRequestBodyBytes"/>.</summary>
    public static async Task<Results<Ok<UserDeleteResult>, ProblemHttpResult>> UserDeletedHookAsync(
        HttpContext httpContext, UserData userData, IOptions<ApiOptions> api)
    {
        var limit = api.Value.MaxRequestBodyBytes;
        var (document, fault) = await JsonBody.ReadAsync(httpContext.Request, limit, httpContext.RequestAborted);
        if (fault == JsonBodyFault.TooLarge)
        {
            return ApiErrors.TooLarge(limit).ToProblem();
        }

        using (document)
        {
            if (document?.RootElement is not { ValueKind: JsonValueKind.Object } payload
                || !payload.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "DELETE"
                || !payload.TryGetProperty("old_record", out var old) || old.ValueKind != JsonValueKind.Object
                || !old.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !Guid.TryParse(id.GetString(), out var userId))
            {
                return ApiErrors.BadRequest("Expected a Supabase DELETE webhook payload with old_record.id").ToProblem();
            }

            return TypedResults.Ok(new UserDeleteResult(true, await userData.DeleteAsync(userId)));
        }
    }

    /// <summary>Streams the feedback set in [<paramref name="since"/>, <paramref name="until"/>) (ISO 8601; by default
    /// the 7 days before now) as NDJSON, oldest first, for the people tuning the personas' prompts.</summary>
    public static Results<PushStreamHttpResult, ProblemHttpResult> ExportFeedback(
        string? since,
        string? until,
        HttpContext httpContext,
        IFeedbackStore feedback,
        IOptions<JsonOptions> json,
        [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        var to = ReadTime(until, "until", errors) ?? time.GetUtcNow();
        var from = ReadTime(since, "since", errors) ?? to - DefaultFeedbackWindow;
        if (errors.Count > 0)
        {
            return ApiErrors.InvalidFields(errors).ToProblem();
        }

        return TypedResults.Stream(
            async stream =>
            {
                var cancellationToken = httpContext.RequestAborted;
                await foreach (var rated in feedback.ListAsync(from, to, cancellationToken))
                {
                    await JsonSerializer.SerializeAsync(stream, FeedbackLine.From(rated), json.Value.SerializerOptions, cancellationToken);
                    await stream.WriteAsync(NewLine, cancellationToken);
                }
            },
            NdjsonContentType);
    }

    /// <summary>Streams every session of the user, each followed by its messages, as NDJSON.</summary>
    public static PushStreamHttpResult ExportUser(
        Guid userId, HttpContext httpContext, UserData userData, IOptions<JsonOptions> json)
    {
        return TypedResults.Stream(
            async stream =>
            {
                var cancellationToken = httpContext.RequestAborted;
                await foreach (var line in userData.ExportAsync(userId, cancellationToken))
                {
                    await JsonSerializer.SerializeAsync(stream, line, line.GetType(), json.Value.SerializerOptions, cancellationToken);
                    await stream.WriteAsync(NewLine, cancellationToken);
                    if (line is ExportedSession)
                    {
                        await stream.FlushAsync(cancellationToken);
                    }
                }
            },
            NdjsonContentType);
    }

    private static DateTimeOffset? ReadTime(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        errors[name] = ["must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z"];
        return null;
    }
}

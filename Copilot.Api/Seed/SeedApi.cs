using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.RateLimiting;
using Copilot.Api.Shared;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Seed;

/// <summary>The seed-compatible surface: the chat panel works against it with only its base URL and auth header changed.</summary>
internal static class SeedApi
{
    /// <summary>How long after a new session's first message failed a send of the same text without a session id is
    /// taken for its retry.</summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromMinutes(10);

    /// <summary>Maps <c>POST /api/copilot</c> and <c>GET /api/copilot</c>, for authenticated users only.</summary>
    public static RouteGroupBuilder MapSeedApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/copilot").RequireAuthorization().WithTags("Copilot");
        // A body declared as anything but JSON (a form post, text/plain) is a 415, as on /v1.
        group.MapPost("", SendAsync).RequireCopilotSendLimits().Accepts<SeedChatBody>("application/json");
        group.MapGet("", GetAsync);
        return group;
    }

    /// <summary>Stores the message, then streams the reply as plain text.</summary>
    public static async Task<IResult> SendAsync(
        HttpContext httpContext,
        IGrainFactory grains,
        IOptions<ApiOptions> apiOptions,
        IOptions<SessionsOptions> sessionsOptions,
        [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time)
    {
        var userId = httpContext.User.GetUserId();
        var (request, error) = await ChatRequestReader.ReadAsync(
            httpContext.Request,
            apiOptions.Value.MaxRequestBodyBytes,
            sessionsOptions.Value.MaxMessageChars,
            httpContext.RequestAborted);
        if (error is not null)
        {
            return error;
        }

        var (grain, started) = await StartTurnAsync(grains, userId, request!, StreamSlot.Of(httpContext), time.GetUtcNow());
        StreamSlot.Started(httpContext, started);
        var first = await ReplyPolling.FirstProgressAsync(ReplyPolling.ReadsInPlace(httpContext.RequestServices), grain, userId, started.TurnId, httpContext.RequestAborted);
        if (first is { Done: true, Status: MessageStatus.Failed, NextOffset: 0 })
        {
            // Nothing reached the client yet, so the failure can still be an honest status code.
            httpContext.Response.Headers[PlainTextReply.SessionIdHeader] = started.Session.Id.ToString();
            return ApiErrors.ModelFailed(first.ErrorCode).AdviseOn(httpContext.Response).ToSeed();
        }

        return new PlainTextReply(grain, userId, started, first);
    }

    /// <summary>The 5 most recently updated sessions, or one session's messages with <c>?sessionId=</c>.</summary>
    public static async Task<Results<Ok<SeedSessionsResponse>, Ok<SeedMessagesResponse>, JsonHttpResult<ApiError>>> GetAsync(
        string? sessionId, HttpContext httpContext, IGrainFactory grains, IOptions<ApiOptions> apiOptions)
    {
        var userId = httpContext.User.GetUserId();
        if (string.IsNullOrEmpty(sessionId))
        {
            var page = await grains.GetGrain<IUserSessionsGrain>(userId).ListAsync(apiOptions.Value.RecentSessionsListed);
            return TypedResults.Ok(new SeedSessionsResponse([.. page.Sessions.Select(s => ToSeed(s, userId))]));
        }

        if (!Guid.TryParse(sessionId, out var id))
        {
            return ApiErrors.BadRequest("sessionId must be a UUID").ToSeed();
        }

        var messages = await grains.GetGrain<ISessionGrain>(id).GetActivePathAsync(userId);
        return messages is null
            ? ApiErrors.SessionNotFound.ToSeed()
            : TypedResults.Ok(new SeedMessagesResponse([.. messages.Select(m => ToSeed(m, id))]));
    }

    /// <summary>Starts the turn in the named session or, when that one does not exist for this user (never created,
    /// expired, someone else's), in a new session; the other session is never touched.</summary>
    private static async Task<(ISessionGrain Grain, TurnStarted Started)> StartTurnAsync(
        IGrainFactory grains, Guid userId, ChatRequest request, Guid? streamSlot, DateTimeOffset now)
    {
        // The panel sends no message ids: the same question again after a reply that failed is its retry.
        var turn = new TurnRequest { Content = request.Message, Role = request.Role, StreamSlot = streamSlot, RetryUnanswered = true };
        if (request.SessionId is null && await NewestUnansweredAsync(grains, userId, request.Message, now) is { } recent)
        {
            // The panel's retry of a first message that failed: it has no session id (the error carried none), so the
            // question, stored in the session just created for it, would be stored again in another.
            try
            {
                return (recent, await recent.StartTurnAsync(userId, turn with { RetryOnly = true }));
            }
            catch (Exception ex) when (ex is SessionNotFoundException or RoleMismatchException or TurnInFlightException)
            {
                // Not a retry of it: a new session, as the panel expects.
            }
        }

        if (request.SessionId is { } sessionId)
        {
            var existing = grains.GetGrain<ISessionGrain>(sessionId);
            try
            {
                return (existing, await existing.StartTurnAsync(userId, turn));
            }
            catch (SessionNotFoundException)
            {
                // Fall through to a new session, as the panel expects.
            }
        }

        var created = grains.GetGrain<ISessionGrain>(Guid.NewGuid());
        return (created, await created.StartTurnAsync(userId, turn with { CreateIfMissing = true }));
    }

    /// <summary>The user's most recent session when it was created within <see cref="RetryWindow"/>, holds no more than
    /// a question and a reply, and is titled by <paramref name="message"/>: the only session a send without a session id
    /// may be the retry of. Read from the user's list alone, so a new chat asks that session nothing unless its text
    /// is the same.</summary>
    private static async Task<ISessionGrain?> NewestUnansweredAsync(IGrainFactory grains, Guid userId, string message, DateTimeOffset now)
    {
        var newest = (await grains.GetGrain<IUserSessionsGrain>(userId).ListAsync(1)).Sessions;
        return newest is [{ MessageCount: <= 2 } session] && now - session.CreatedAt < RetryWindow
            && session.Title == SessionSummary.TitleOf(message)
            ? grains.GetGrain<ISessionGrain>(session.Id)
            : null;
    }

    private static SeedSession ToSeed(SessionSummary session, Guid userId) => new(
        session.Id,
        userId,
        session.CreatedAt,
        session.UpdatedAt,
        new SeedSessionMetadata(session.Role.ToWireName(), session.Title, session.MessageCount),
        IsActive: true);

    private static SeedMessage ToSeed(SessionMessage message, Guid sessionId) => new(
        message.Id,
        sessionId,
        message.Role.ToWireName(),
        message.Content,
        message.CreatedAt,
        new SeedMessageMetadata(
            message.Seq,
            message.Status.ToWireName(),
            message.Metadata.Model,
            message.Metadata.InputTokens,
            message.Metadata.OutputTokens,
            message.Metadata.ErrorCode,
            message.Metadata.UsageEstimated));
}

using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.RateLimiting;
using Copilot.Api.Shared;
using Copilot.Api.V1.Chat;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions;
using Copilot.Grains.Usage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Copilot.Api.V1;

/// <summary>The chat routes of <c>/v1</c>, compatible with the AI SDK's <c>DefaultChatTransport</c>
/// (<c>api: '&lt;base&gt;/v1/chat'</c>, <c>resume: true</c>); the chat id is the session id.</summary>
internal static class ChatApi
{
    /// <summary>Maps <c>POST /v1/chat</c>, <c>GET /v1/chat/{id}/stream</c> and <c>POST /v1/chat/{id}/stop</c>.</summary>
    public static RouteGroupBuilder MapV1Chat(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapV1Group("/v1/chat", "Chat (v1)");
        group.MapPost("", SendAsync)
            .RequireCopilotSendLimits(LimitRejectionFormat.ProblemDetails)
            .Accepts<ChatRequestBody>("application/json")
            .WithSummary("Send the last user message; the reply streams in the AI SDK's UI message stream protocol");
        group.MapGet("/{id}/stream", ResumeAsync)
            .WithSummary("Resume the reply in flight from its start, or after Last-Event-ID; 204 when none");
        group.MapPost("/{id}/stop", StopAsync)
            .WithSummary("Stop the reply in flight; what was written is stored as stopped");
        return group;
    }

    /// <summary>Stores the last user message of the body (once per message id) and streams the reply: a new reply to it
    /// with <c>trigger: "regenerate-message"</c>, a new version of it when the session holds its id with other text or images.</summary>
    public static async Task<Results<UiMessageStream, ProblemHttpResult>> SendAsync(
        HttpContext httpContext,
        IGrainFactory grains,
        IOptions<ApiOptions> apiOptions,
        IOptions<SessionsOptions> sessionsOptions,
        IOptions<FilesOptions> filesOptions,
        ChatFileResolver fileResolver,
        IFileStore files)
    {
        var userId = httpContext.User.GetUserId();

        // The AI SDK's transport sends the whole chat with every message, images it holds as data URLs included, so the
        // body may be as large as the image limit allows whatever the new message is; the message itself is checked
        // against its own limits (MaxMessageChars, the images per message), and the rest of the body is not read.
        var maxBody = Math.Max(apiOptions.Value.MaxRequestBodyBytes, filesOptions.Value.MaxChatBodyBytes);
        var (document, fault, _) = await JsonBody.ReadMeasuredAsync(httpContext.Request, maxBody, httpContext.RequestAborted);
        if (document is null)
        {
            return fault == JsonBodyFault.TooLarge
                ? ApiErrors.TooLarge(maxBody).ToProblem()
                : ApiErrors.InvalidField("body", "must be JSON").ToProblem();
        }

        ChatSend send;
        List<FileRef>? images = null;
        List<Guid> created = [];
        IReadOnlyList<Guid> attached = [];
        using (document)
        {
            var (read, errors) = ChatSendReader.Read(document.RootElement, sessionsOptions.Value.MaxMessageChars);
            if (read is null)
            {
                return ApiErrors.InvalidFields(errors).ToProblem();
            }

            if (read.Files.Count > 0)
            {
                var (resolved, stored, refused) = await fileResolver.ResolveAsync(
                    userId, httpContext.Request.Host.Value ?? "", read.Files, httpContext.RequestAborted);
                if (resolved is null)
                {
                    return refused!.ToProblem();
                }

                // Referenced before the message is stored: deleting another session never removes an image this one shows.
                created = stored;
                try
                {
                    attached = await files.AttachAsync(userId, read.ChatId, [.. resolved.Select(f => f.Id)], httpContext.RequestAborted);
                }
                catch (FileGoneException)
                {
                    // Deleted since it was found above (the last session showing it went, or an unsent upload's lifetime
                    // ended): as if it had never been found.
                    await UndoImagesAsync(files, userId, read.ChatId, [], created);
                    return ApiErrors.FileNotFound.ToProblem();
                }
                catch (Exception) when (created.Count > 0)
                {
                    await files.DetachAsync(userId, read.ChatId, [], created, CancellationToken.None);
                    throw;
                }
                images = resolved;
            }

            send = read;
        }

        var grain = grains.GetGrain<ISessionGrain>(send.ChatId);
        TurnStarted started;
        try
        {
            started = await grain.StartTurnAsync(userId, new TurnRequest
            {
                Content = send.Text,
                Role = send.Persona,
                ClientMessageId = send.MessageId,
                CreateIfMissing = true,
                Files = images,
                Regenerate = send.Regenerate,
                AfterMessageId = send.AfterMessageId,
                StreamSlot = StreamSlot.Of(httpContext),
            });
            StreamSlot.Started(httpContext, started);
        }
        catch (Exception ex) when (ApiErrors.FromRefusal(ex) is { } refusal)
        {
            // Refused before anything was stored. Someone else's or a deleted session, or a new one past the cap: what the
            // send stored for its images goes again. The caller's own session refusing this message (a reply running,
            // another persona): a send of the same message beside this one may show the same images, so they stay with
            // the conversation and go when it does.
            if (ex is SessionNotFoundException or SessionLimitException)
            {
                await UndoImagesAsync(files, userId, send.ChatId, attached, created);
            }

            return refusal.ToProblem();
        }
        catch (WriteLimitException)
        {
            // A new session refused by the write bucket (429, answered by the send limits' filter): nothing of it exists.
            await UndoImagesAsync(files, userId, send.ChatId, attached, created);
            throw;
        }

        var first = await ReplyPolling.FirstProgressAsync(ReplyPolling.ReadsInPlace(httpContext.RequestServices), grain, userId, started.TurnId, httpContext.RequestAborted);
        if (first is { Done: true, Status: MessageStatus.Failed, NextOffset: 0 })
        {
            // Nothing reached the client yet, so the failure can still be an honest status code.
            return ApiErrors.ModelFailed(first.ErrorCode).AdviseOn(httpContext.Response).ToProblem();
        }

        return new UiMessageStream(grain, userId, StreamPosition.Beginning(started.TurnId), first);
    }

    /// <summary>Removes what a refused send stored for its images: the references it added and the files it created
    /// that nothing else refers to.</summary>
    private static async Task UndoImagesAsync(IFileStore files, Guid userId, Guid chatId, IReadOnlyList<Guid> attached, List<Guid> created)
    {
        if (attached.Count > 0 || created.Count > 0)
        {
            await files.DetachAsync(userId, chatId, attached, created, CancellationToken.None);
        }
    }

    /// <summary>The reply in flight, replayed from its <c>start</c> (or after <c>Last-Event-ID</c>) and then live.</summary>
    public static async Task<Results<UiMessageStream, NoContent, ProblemHttpResult>> ResumeAsync(
        string id, HttpContext httpContext, IGrainFactory grains)
    {
        var (grain, userId, info, problem) = await FindChatAsync(id, httpContext, grains);
        if (info is null)
        {
            return problem!;
        }

        if (info.InFlightTurnId is not { } turnId)
        {
            return TypedResults.NoContent();
        }

        var after = StreamPosition.Beginning(turnId);
        var lastEventId = httpContext.Request.Headers[UiMessageStream.LastEventIdHeader].ToString();
        if (lastEventId.Length > 0 && !StreamPosition.TryParse(lastEventId, turnId, out after))
        {
            return ApiErrors.InvalidField(UiMessageStream.LastEventIdHeader, "is not an event id of this service's streams").ToProblem();
        }

        return new UiMessageStream(grain, userId, after);
    }

    /// <summary>Stops the reply in flight and answers once what was written is stored as <c>stopped</c>.</summary>
    public static async Task<Results<Ok<StopResponse>, ProblemHttpResult>> StopAsync(
        string id, HttpContext httpContext, IGrainFactory grains)
    {
        var (grain, userId, info, problem) = await FindChatAsync(id, httpContext, grains);
        if (info is null)
        {
            return problem!;
        }

        if (info.InFlightTurnId is not { } turnId || !await grain.StopTurnAsync(userId, turnId))
        {
            return TypedResults.Ok(new StopResponse(false));
        }

        // Wait for the grain to store the reply, so that reading the history next shows it as stopped.
        ReplyProgress progress;
        do
        {
            progress = await grain.ReadReplyAsync(userId, turnId, int.MaxValue, ReplyPolling.PollWait);
        }
        while (!progress.Done);

        return TypedResults.Ok(new StopResponse(true));
    }

    /// <summary>The chat's grain and header for the caller, or the problem to answer (a bad id, or not found).</summary>
    private static async Task<(ISessionGrain Grain, Guid UserId, SessionInfo? Info, ProblemHttpResult? Problem)> FindChatAsync(
        string id, HttpContext httpContext, IGrainFactory grains)
    {
        var userId = httpContext.User.GetUserId();
        if (!V1Routes.TryParseId(id, out var chatId, out var invalid))
        {
            return (null!, userId, null, invalid);
        }

        var grain = grains.GetGrain<ISessionGrain>(chatId);
        var info = await grain.GetInfoAsync(userId);
        return (grain, userId, info, info is null ? ApiErrors.SessionNotFound.ToProblem() : null);
    }
}

using System.Globalization;
using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.RateLimiting;
using Copilot.Api.Shared;
using Copilot.Api.V1.Messages;
using Copilot.Api.V1.Sessions;
using Copilot.Grains;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Copilot.Api.V1;

/// <summary>The caller's sessions (chats) and their messages.</summary>
internal static class SessionsApi
{
    /// <summary>Sessions listed per page when <c>limit</c> is not given.</summary>
    public const int DefaultSessionLimit = 20;

    /// <summary>Messages listed per page when <c>limit</c> is not given.</summary>
    public const int DefaultMessageLimit = 50;

    public const int MaxLimit = 100;

    /// <summary>Maps <c>/v1/sessions</c>: list, get, rename, delete, and a session's messages.</summary>
    public static RouteGroupBuilder MapV1Sessions(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapV1Group("/v1/sessions", "Sessions (v1)");
        group.MapGet("", ListAsync).WithSummary("My sessions, most recently updated first (keyset cursor)");
        group.MapGet("/{id}", GetAsync).WithSummary("One session");
        group.MapPatch("/{id}", RenameAsync).RequireCopilotWriteLimits().Accepts<RenameRequest>("application/json").WithSummary("Rename a session");
        group.MapDelete("/{id}", DeleteAsync).RequireCopilotWriteLimits().WithSummary("Delete a session and everything it stored, now");
        group.MapGet("/{id}/messages", MessagesAsync).WithSummary("A session's active path, newest first, in the UI message shape");
        group.MapPut("/{id}/active", SwitchAsync)
            .RequireCopilotWriteLimits()
            .Accepts<SwitchRequest>("application/json")
            .WithSummary("Make the path through a message active (below it, the newest version at each step)");
        return group;
    }

    /// <summary>A page of the caller's sessions after the <paramref name="after"/> cursor.</summary>
    public static async Task<Results<Ok<SessionListResponse>, ProblemHttpResult>> ListAsync(
        string? limit, string? after, HttpContext httpContext, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        var pageSize = ReadLimit(limit, DefaultSessionLimit, errors);
        SessionListCursor? cursor = null;
        if (after is not null && !SessionCursor.TryDecode(after, out cursor))
        {
            errors["after"] = ["must be a next_cursor this service returned"];
        }

        if (errors.Count > 0)
        {
            return ApiErrors.InvalidFields(errors).ToProblem();
        }

        var page = await grains.GetGrain<IUserSessionsGrain>(httpContext.User.GetUserId()).ListAsync(pageSize, cursor);
        return TypedResults.Ok(new SessionListResponse(
            [.. page.Sessions.Select(SessionResponse.From)],
            page.Next is not null,
            page.Next is { } next ? SessionCursor.Encode(next) : null));
    }

    /// <summary>One of the caller's sessions.</summary>
    public static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetAsync(
        string id, HttpContext httpContext, IGrainFactory grains)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        var info = await grains.GetGrain<ISessionGrain>(sessionId).GetInfoAsync(httpContext.User.GetUserId());
        return info is null ? ApiErrors.SessionNotFound.ToProblem() : TypedResults.Ok(SessionResponse.From(info));
    }

    /// <summary>Renames one of the caller's sessions.</summary>
    public static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> RenameAsync(
        string id, HttpContext httpContext, IGrainFactory grains, IOptions<ApiOptions> apiOptions)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        var (title, problem) = await ReadBodyFieldAsync(
            httpContext, apiOptions, ReadTitle,
            "title", $"is required: a string of 1 to {RenameRequest.MaxChars} characters, not blank, without NUL characters or unpaired surrogates, with something visible once control characters and bidirectional overrides are removed");
        if (title is null)
        {
            return problem!;
        }

        try
        {
            var info = await grains.GetGrain<ISessionGrain>(sessionId).RenameAsync(httpContext.User.GetUserId(), title);
            return TypedResults.Ok(SessionResponse.From(info));
        }
        catch (Exception ex) when (ApiErrors.FromRefusal(ex) is { } refusal)
        {
            return refusal.ToProblem();
        }
    }

    /// <summary>Deletes one of the caller's sessions, stopping a reply in flight first.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext httpContext, IGrainFactory grains)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        return await grains.GetGrain<ISessionGrain>(sessionId).DeleteAsync(httpContext.User.GetUserId())
            ? TypedResults.NoContent()
            : ApiErrors.SessionNotFound.ToProblem();
    }

    /// <summary>A page of a session's active path, newest first: from its leaf; or the ancestors of the message numbered
    /// <paramref name="before"/> (the previous page's <c>next_before</c>); or the messages that follow the one numbered
    /// <paramref name="after"/> (a <c>next_after</c>); or centred on the message <paramref name="around"/> (a search hit's
    /// message id).</summary>
    public static async Task<Results<Ok<MessageListResponse>, ProblemHttpResult>> MessagesAsync(
        string id, string? limit, string? before, string? after, string? around, HttpContext httpContext, IGrainFactory grains, FileUrls fileUrls)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Guid.TryParse(id, out var sessionId))
        {
            errors["id"] = ["must be a UUID"];
        }

        var pageSize = ReadLimit(limit, DefaultMessageLimit, errors);
        var beforeSeq = ReadSeq(before, "before", "next_before", errors);
        var afterSeq = ReadSeq(after, "after", "next_after", errors);
        Guid? aroundId = null;
        if (around is not null)
        {
            aroundId = Guid.TryParse(around, out var parsed) ? parsed : null;
            if (aroundId is null)
            {
                errors["around"] = ["must be the id of a stored message (a UUID)"];
            }
        }

        if (new[] { before, after, around }.Count(cursor => cursor is not null) > 1)
        {
            errors["around"] = ["before, after and around cannot be combined: give one of them"];
        }

        if (errors.Count > 0)
        {
            return ApiErrors.InvalidFields(errors).ToProblem();
        }

        var session = grains.GetGrain<ISessionGrain>(sessionId);
        var userId = httpContext.User.GetUserId();
        var page = (aroundId, afterSeq) switch
        {
            ({ } message, _) => await session.GetMessagesAroundAsync(userId, message, pageSize),
            (_, { } seq) => await session.GetMessagesAfterAsync(userId, seq, pageSize),
            _ => await session.GetMessagesAsync(userId, beforeSeq, pageSize),
        };
        if (page is null)
        {
            return ApiErrors.SessionNotFound.ToProblem();
        }

        return aroundId is not null && page.Messages.Count == 0
            ? ApiErrors.MessageNotFound.ToProblem()
            : TypedResults.Ok(new MessageListResponse(
                [.. page.Messages.Select(m => UiMessage.From(m, page.VersionsOf(m), fileUrls.Create, page.Feedback.GetValueOrDefault(m.Id)))],
                page.NextBeforeSeq is not null,
                page.NextBeforeSeq,
                page.NextAfterSeq));
    }

    /// <summary>Makes the path through a message of the session active and answers with its new leaf.</summary>
    public static async Task<Results<Ok<SwitchResponse>, ProblemHttpResult>> SwitchAsync(
        string id, HttpContext httpContext, IGrainFactory grains, IOptions<ApiOptions> apiOptions)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        var (messageId, problem) = await ReadBodyFieldAsync(
            httpContext, apiOptions, SwitchRequest.ReadMessageId,
            "message_id", "is required: the id of a message of this session (its id or the client's)");
        if (messageId is null)
        {
            return problem!;
        }

        try
        {
            var leaf = await grains.GetGrain<ISessionGrain>(sessionId).SwitchBranchAsync(httpContext.User.GetUserId(), messageId);
            return leaf is { } leafId ? TypedResults.Ok(new SwitchResponse(leafId)) : ApiErrors.MessageNotFound.ToProblem();
        }
        catch (Exception ex) when (ApiErrors.FromRefusal(ex) is { } refusal)
        {
            return refusal.ToProblem();
        }
    }

    /// <summary>Reads the JSON body's one field with <paramref name="read"/>, or the problem to answer: a body too large,
    /// not JSON, or without a usable <paramref name="field"/> (described by <paramref name="requirement"/>).</summary>
    private static async Task<(string? Value, ProblemHttpResult? Problem)> ReadBodyFieldAsync(
        HttpContext httpContext, IOptions<ApiOptions> apiOptions, Func<System.Text.Json.JsonElement, string?> read, string field, string requirement)
    {
        var maxBody = apiOptions.Value.MaxRequestBodyBytes;
        var (document, fault) = await JsonBody.ReadAsync(httpContext.Request, maxBody, httpContext.RequestAborted);
        if (document is null)
        {
            return (null, fault == JsonBodyFault.TooLarge ? ApiErrors.TooLarge(maxBody).ToProblem() : ApiErrors.InvalidField("body", "must be JSON").ToProblem());
        }

        using (document)
        {
            return read(document.RootElement) is { } value ? (value, null) : (null, ApiErrors.InvalidField(field, requirement).ToProblem());
        }
    }

    private static int ReadLimit(string? limit, int defaultLimit, Dictionary<string, string[]> errors)
    {
        if (limit is null)
        {
            return defaultLimit;
        }

        if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxLimit)
        {
            return value;
        }

        errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
        return defaultLimit;
    }

    private static long? ReadSeq(string? value, string field, string cursorName, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return seq;
        }

        errors[field] = [$"must be a {cursorName} this service returned (a message sequence number)"];
        return null;
    }

    private static string? ReadTitle(System.Text.Json.JsonElement root) =>
        root.ValueKind == System.Text.Json.JsonValueKind.Object &&
        root.TryGetProperty("title", out var title) &&
        title.ValueKind == System.Text.Json.JsonValueKind.String &&
        title.GetString()!.Trim() is { Length: > 0 } trimmed && StoredText.IsStorable(trimmed) &&
        StoredText.Title(trimmed, int.MaxValue) is { Length: > 0 and <= RenameRequest.MaxChars }
            ? trimmed
            : null;
}

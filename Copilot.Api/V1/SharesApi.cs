using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.RateLimiting;
using Copilot.Api.Shared;
using Copilot.Api.V1.Shares;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.V1;

/// <summary>Read-only share links: the owner makes, lists and revokes snapshots of a conversation; anyone with a link
/// reads its snapshot, without signing in.</summary>
internal static class SharesApi
{
    /// <summary>The read-only page of a share, relative to this service.</summary>
    public static string PagePath(string token) => "/s/" + token;

    /// <summary>Maps <c>/v1/sessions/{id}/shares</c> (the owner's) and <c>GET /v1/shares/{token}</c> (anonymous,
    /// rate-limited per client address).</summary>
    public static RouteGroupBuilder MapV1Shares(this IEndpointRouteBuilder endpoints)
    {
        var owned = endpoints.MapV1Group("/v1/sessions/{id}/shares", "Shares (v1)");
        owned.MapPost("", CreateAsync)
            .RequireCopilotWriteLimits()
            .Accepts<CreateShareRequest>("application/json")
            .WithSummary("Snapshot the conversation's active path into a read-only link");
        owned.MapGet("", ListAsync).WithSummary("The session's live share links, newest first");
        owned.MapDelete("/{shareId}", RevokeAsync).RequireCopilotWriteLimits().WithSummary("Revoke a share link, at once");

        endpoints.MapGroup("/v1/shares")
            .AllowAnonymous()
            .RequireCors(V1Routes.CorsPolicy)
            .WithTags("Shares (v1)")
            .RequireRateLimiting(ShareReadLimit.PolicyName)
            .MapGet("/{token}", ReadAsync)
            .WithSummary("A shared conversation (no sign-in): title, persona and the snapshot's messages");
        endpoints.MapGroup("/v1/shares")
            .AllowAnonymous()
            .RequireCors(V1Routes.CorsPolicy)
            .WithTags("Shares (v1)")
            .RequireRateLimiting(ShareReadLimit.FilesPolicyName)
            .MapGet("/{token}/files/{fileId}", ReadFileAsync)
            .WithSummary("An image of a shared conversation (or ?size=thumb its thumbnail), while the share lives");
        return owned;
    }

    /// <summary>Snapshots the caller's session now: <c>201</c> with the token, the page's URL and the expiry.</summary>
    public static async Task<Results<Created<CreatedShareResponse>, ProblemHttpResult>> CreateAsync(
        string id, HttpContext httpContext, IGrainFactory grains, IOptions<ApiOptions> apiOptions)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        var days = CreateShareRequest.DefaultDays;
        var maxBody = apiOptions.Value.MaxRequestBodyBytes;
        var (document, fault, length) = await JsonBody.ReadMeasuredAsync(httpContext.Request, maxBody, httpContext.RequestAborted);
        if (fault == JsonBodyFault.TooLarge)
        {
            return ApiErrors.TooLarge(maxBody).ToProblem();
        }

        // The body is optional: an empty one takes the default lifetime, also when a client declares it as JSON (as a
        // client that sends Content-Type: application/json on every call does).
        if (length > 0)
        {
            using (document)
            {
                if (document is null || CreateShareRequest.ReadDays(document.RootElement) is not { } asked)
                {
                    return ApiErrors.InvalidField(
                        "expires_in_days", $"must be a whole number of days from 1 to {CreateShareRequest.MaxDays} (default {CreateShareRequest.DefaultDays})").ToProblem();
                }

                days = asked;
            }
        }

        try
        {
            var share = await grains.GetGrain<ISessionGrain>(sessionId).CreateShareAsync(httpContext.User.GetUserId(), TimeSpan.FromDays(days));
            return TypedResults.Created("/v1/shares/" + share.Token, CreatedShareResponse.From(share));
        }
        catch (Exception ex) when (ApiErrors.FromRefusal(ex) is { } refusal)
        {
            return refusal.ToProblem();
        }
    }

    /// <summary>The caller's session's live shares (their ids, not their tokens).</summary>
    public static async Task<Results<Ok<ShareListResponse>, ProblemHttpResult>> ListAsync(
        string id, HttpContext httpContext, IGrainFactory grains)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        var shares = await grains.GetGrain<ISessionGrain>(sessionId).ListSharesAsync(httpContext.User.GetUserId());
        return shares is null
            ? ApiErrors.SessionNotFound.ToProblem()
            : TypedResults.Ok(new ShareListResponse([.. shares.Select(ShareResponse.From)]));
    }

    /// <summary>Revokes a share of the caller's session, named by its id or its token: once answered, every silo answers
    /// 404 for its link.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, string shareId, HttpContext httpContext, IGrainFactory grains)
    {
        if (!V1Routes.TryParseId(id, out var sessionId, out var invalid))
        {
            return invalid!;
        }

        try
        {
            // The list names shares by id (the token is never stored); the owner may also hold the link's token: the
            // share is the session's own either way, so both revoke it.
            var session = grains.GetGrain<ISessionGrain>(sessionId);
            var userId = httpContext.User.GetUserId();
            return ShareTokens.IsWellFormed(shareId) &&
                (await session.RevokeShareAsync(userId, shareId) || await session.RevokeShareAsync(userId, ShareTokens.IdOf(shareId)))
                ? TypedResults.NoContent()
                : ApiErrors.ShareNotFound.ToProblem();
        }
        catch (Exception ex) when (ApiErrors.FromRefusal(ex) is { } refusal)
        {
            return refusal.ToProblem();
        }
    }

    /// <summary>A shared conversation, read from PostgreSQL on every call, so a revoke or an expiry holds at once
    /// everywhere. Unknown, revoked and expired tokens get the same 404 after the same one-row look-up.</summary>
    public static async Task<Results<Ok<SharedConversationResponse>, ProblemHttpResult>> ReadAsync(
        string token, HttpContext httpContext, IShareStore shares, [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time)
    {
        var headers = httpContext.Response.Headers;
        headers[HeaderNames.CacheControl] = "no-store";
        headers["X-Robots-Tag"] = "noindex";
        headers["Referrer-Policy"] = "no-referrer";
        var share = ShareTokens.IsWellFormed(token)
            ? await shares.FindAsync(ShareTokens.IdOf(token), time.GetUtcNow(), httpContext.RequestAborted)
            : null;
        return share is null ? ApiErrors.ShareNotFound.ToProblem() : TypedResults.Ok(SharedConversationResponse.From(share, token));
    }

    /// <summary><paramref name="path"/> with any share token in it replaced by <c>{token}</c>: the segment after
    /// <c>/s/</c> and after a <c>shares</c> segment (<c>/v1/shares/{token}/…</c>, and the owner's
    /// <c>/v1/sessions/{id}/shares/{shareId}</c>, which may be a token). Routing ignores case, so this does too.</summary>
    public static string WithoutToken(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/');
        for (var i = 2; i < segments.Length; i++)
        {
            var afterShares = string.Equals(segments[i - 1], "shares", StringComparison.OrdinalIgnoreCase);
            var sharePage = i == 2 && string.Equals(segments[1], "s", StringComparison.OrdinalIgnoreCase);
            if ((afterShares || sharePage) && segments[i].Length > 0)
            {
                segments[i] = "{token}";
            }
        }

        return string.Join('/', segments);
    }

    /// <summary>The path of an image of a share: it works while the share does, and only for an image the snapshot holds.</summary>
    public static string FilePath(string token, Guid fileId) => $"/v1/shares/{token}/files/{fileId}";

    /// <summary>An image the share's snapshot holds, read through the share: the token is the right to read it, so it
    /// stops working the moment the share is revoked or expires. Anything else is the file 404.</summary>
    public static async Task<Results<StoredFileResult, ProblemHttpResult>> ReadFileAsync(
        string token,
        string fileId,
        string? size,
        HttpContext httpContext,
        IShareStore shares,
        IFileStore files,
        [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time)
    {
        httpContext.Response.Headers["X-Robots-Tag"] = "noindex";
        httpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (!Guid.TryParse(fileId, out var id) || !ShareTokens.IsWellFormed(token) ||
            await shares.FindAsync(ShareTokens.IdOf(token), time.GetUtcNow(), httpContext.RequestAborted) is not { } share ||
            !share.Messages.Any(m => m.Files?.Any(f => f.Id == id) == true))
        {
            return ApiErrors.FileNotFound.ToProblem();
        }

        // Cached no longer than a minute, so a revoke also holds for a viewer's own cache soon after.
        return new StoredFileResult(files, id, size == "thumb", Math.Min(share.ExpiresAt.ToUnixTimeSeconds(), time.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds()));
    }
}

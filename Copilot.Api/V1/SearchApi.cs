using System.Globalization;
using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.V1.Search;
using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Copilot.Api.V1;

/// <summary>Search across the caller's own conversations.</summary>
internal static class SearchApi
{
    public const int DefaultLimit = 20;

    public const int MaxLimit = 50;

    private static readonly string NothingToFind =
        $"is required: 1 to {SearchQuery.MaxChars} characters with at least one word or fragment to find (not only exclusions or words as common as \"the\")";

    /// <summary>Maps <c>GET /v1/search</c>.</summary>
    public static RouteGroupBuilder MapV1Search(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapV1Group("/v1/search", "Search (v1)");
        group.MapGet("", SearchAsync).WithSummary("My messages and session titles matching q, most relevant first (keyset cursor)");
        return group;
    }

    /// <summary>A page of the caller's hits for <paramref name="q"/>, after the <paramref name="after"/> cursor.</summary>
    public static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> SearchAsync(
        string? q, string? limit, string? after, string? persona, string? from, string? to,
        HttpContext httpContext, IMessageSearch search, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        var query = q is { Length: > 0 and <= SearchQuery.MaxChars } && StoredText.IsStorable(q) ? SearchQuery.Parse(q) : null;
        if (query is null)
        {
            errors["q"] = [q is not null && !StoredText.IsStorable(q) ? "must not contain NUL characters (U+0000)" : NothingToFind];
        }

        var pageSize = DefaultLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) && pageSize is >= 1 and <= MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
        }

        SearchCursor? cursor = null;
        if (after is not null && !SearchCursor.TryDecode(after, out cursor))
        {
            errors["after"] = ["must be a next_cursor this service returned"];
        }

        if (persona is not null && !Personas.TryParse(persona, out _))
        {
            errors["persona"] = [$"must be one of {string.Join(", ", Personas.WireNames)}"];
        }

        var fromTime = ReadTime(from, "from", errors);
        var toTime = ReadTime(to, "to", errors);
        if (errors.Count > 0)
        {
            return ApiErrors.InvalidFields(errors).ToProblem();
        }

        var userId = httpContext.User.GetUserId();
        IReadOnlyList<SearchRow> rows;
        try
        {
            rows = await search.SearchAsync(
                new SearchRequest(userId, query!, pageSize, cursor, persona, fromTime, toTime), httpContext.RequestAborted);
        }
        catch (SearchQueryEmptyException)
        {
            return ApiErrors.InvalidFields(new Dictionary<string, string[]> { ["q"] = [NothingToFind] }).ToProblem();
        }
        catch (SearchIndexRebuildingException)
        {
            return ApiErrors.SearchRebuilding.AdviseOn(httpContext.Response).ToProblem();
        }

        var page = rows.Take(pageSize).ToList();
        var activePaths = await ActivePathsAsync(grains, userId, page);
        var hits = page.Select(row =>
        {
            var snippet = SearchSnippet.Of(row, query!);
            var isTitle = row.MessageId == Guid.Empty;
            return new SearchHit(
                row.SessionId,
                row.Title,
                isTitle ? "title" : "message",
                isTitle ? null : row.MessageId,
                isTitle ? null : row.Role,
                row.CreatedAt,
                snippet.Text,
                snippet.Matches,
                row.HitsInSession,
                isTitle ? null : !activePaths.TryGetValue(row.SessionId, out var path) || path.Contains(row.MessageId));
        }).ToList();
        var last = page.LastOrDefault();
        return TypedResults.Ok(new SearchResponse(
            hits,
            rows.Count > pageSize,
            rows.Count > pageSize && last is not null ? new SearchCursor(last.Rank, last.CreatedAt, last.SessionId, last.MessageId).Encode() : null));
    }

    /// <summary>The active path's message ids of each branched session among the hits: only there can a message be off it.</summary>
    private static async Task<Dictionary<Guid, HashSet<Guid>>> ActivePathsAsync(IGrainFactory grains, Guid userId, List<SearchRow> rows)
    {
        var paths = new Dictionary<Guid, HashSet<Guid>>();
        foreach (var sessionId in rows.Where(r => r.Branched && r.MessageId != Guid.Empty).Select(r => r.SessionId).Distinct())
        {
            var path = await grains.GetGrain<ISessionGrain>(sessionId).GetActivePathAsync(userId);
            paths[sessionId] = [.. (path ?? []).Select(m => m.Id)];
        }

        return paths;
    }

    private static DateTimeOffset? ReadTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors[field] = ["must be an ISO 8601 date or time, such as 2026-03-01 or 2026-03-01T09:30:00Z"];
        return null;
    }
}

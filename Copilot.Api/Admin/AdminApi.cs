using System.Security.Cryptography;
using System.Text;
using Copilot.Api.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Admin;

/// <summary>Operator calls, authorized by their own secret rather than a user token.</summary>
public static class AdminApi
{
    /// <summary>Maps <c>GET /api/cron/cleanup-copilot-sessions</c> (the seed's path, for its cron job).</summary>
    public static RouteGroupBuilder MapCopilotAdmin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/cron").AllowAnonymous().WithTags("Admin");
        group.MapGet("/cleanup-copilot-sessions", SweepAsync);
        return group;
    }

    /// <summary>Expires every session idle past the timeout and says how many.</summary>
    public static async Task<Results<Ok<SweepResult>, NotFound, JsonHttpResult<ApiError>>> SweepAsync(
        HttpContext httpContext, IOptions<AdminOptions> options, ISessionSweeper sweeper)
    {
        // Unlike the seed's route, an unset secret disables the call instead of opening it.
        if (string.IsNullOrEmpty(options.Value.CronSecret))
        {
            return TypedResults.NotFound();
        }

        if (!IsAuthorized(httpContext.Request.Headers.Authorization.ToString(), options.Value.CronSecret))
        {
            return TypedResults.Json(new ApiError("Unauthorized"), statusCode: StatusCodes.Status401Unauthorized);
        }

        return TypedResults.Ok(new SweepResult(true, await sweeper.SweepAsync(httpContext.RequestAborted)));
    }

    private static bool IsAuthorized(string header, string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes("Bearer " + secret));
}

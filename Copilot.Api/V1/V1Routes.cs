using Copilot.Api.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Copilot.Api.V1;

/// <summary>What every <c>/v1</c> route shares: its auth, CORS policy, and how it reads a path id.</summary>
internal static class V1Routes
{
    /// <summary>The CORS policy of <c>/v1</c> (more methods and headers than the seed surface's).</summary>
    public const string CorsPolicy = "v1";

    /// <summary>A group under <paramref name="prefix"/> for authenticated users, with the <c>/v1</c> CORS policy.</summary>
    public static RouteGroupBuilder MapV1Group(this IEndpointRouteBuilder endpoints, string prefix, string tag) =>
        endpoints.MapGroup(prefix).RequireAuthorization().RequireCors(CorsPolicy).WithTags(tag);

    /// <summary>Reads a path id as a UUID, or the 400 naming it.</summary>
    public static bool TryParseId(string id, out Guid parsed, out ProblemHttpResult? problem)
    {
        problem = Guid.TryParse(id, out parsed) ? null : ApiErrors.InvalidField("id", "must be a UUID").ToProblem();
        return problem is null;
    }
}

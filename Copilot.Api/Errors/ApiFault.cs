using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Copilot.Api.Errors;

/// <summary>One refusal as both surfaces answer it: the seed surface as <c>{"error": Text, "code": Code}</c>, <c>/v1</c>
/// as RFC 9457 problem details with <c>title</c>, <c>detail</c> (the text) and a <c>code</c> extension.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Code">A code from <see cref="Grains.ErrorCodes"/>.</param>
/// <param name="Title">The problem's summary: the same for every occurrence of the fault.</param>
/// <param name="Text">What is wrong, for a person.</param>
/// <param name="Fields">For a 400 on <c>/v1</c>: each bad field (a JSON path or a query parameter) and what is wrong with it.</param>
internal sealed record class ApiFault(
    int Status, string Code, string Title, string Text, IDictionary<string, string[]>? Fields = null)
{
    /// <summary>The extension member of a problem that holds <see cref="Code"/>.</summary>
    public const string CodeMember = "code";

    /// <summary>The path prefix of the surface that answers with problem details.</summary>
    public const string ProblemsPathPrefix = "/v1";

    /// <summary>The admin calls' path prefix: they answer with problem details too (the seed's cron path does not).</summary>
    public const string AdminPathPrefix = "/api/admin";

    /// <summary>True when <paramref name="request"/> is for a surface that answers with problem details.</summary>
    public static bool UsesProblems(HttpRequest request) =>
        request.Path.StartsWithSegments(ProblemsPathPrefix) || request.Path.StartsWithSegments(AdminPathPrefix);

    /// <summary>Seconds a retry should wait, sent as <c>Retry-After</c> with the fault (<see cref="AdviseOn"/>); null when
    /// the fault gives no such advice.</summary>
    public string? RetryAfterSeconds { get; init; }

    /// <summary>Sets the headers that go with this fault (<c>Retry-After</c>) on <paramref name="response"/>, whichever
    /// route answers it, and returns the fault.</summary>
    public ApiFault AdviseOn(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds;
        }

        return this;
    }

    public JsonHttpResult<ApiError> ToSeed() => TypedResults.Json(new ApiError(Text, Code), statusCode: Status);

    public ProblemHttpResult ToProblem() => TypedResults.Problem(ToProblemDetails());

    public ProblemDetails ToProblemDetails()
    {
        var problem = Fields is null ? new ProblemDetails() : new HttpValidationProblemDetails(Fields);
        problem.Status = Status;
        problem.Title = Title;
        problem.Detail = Text;
        problem.Extensions[CodeMember] = Code;
        return problem;
    }

    /// <summary>The answer in the shape of the surface <paramref name="request"/> is for.</summary>
    public IResult ToResult(HttpRequest request) => UsesProblems(request) ? ToProblem() : ToSeed();

    /// <summary>Writes the answer in the shape of the surface <paramref name="httpContext"/>'s request is for.</summary>
    public Task WriteAsync(HttpContext httpContext) =>
        UsesProblems(httpContext.Request) ? ToProblem().ExecuteAsync(httpContext) : ToSeed().ExecuteAsync(httpContext);
}

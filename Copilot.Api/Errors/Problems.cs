using Copilot.Grains;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Copilot.Api.Errors;

/// <summary>The error answers of <c>/v1</c>: RFC 9457 problem details (<c>application/problem+json</c>), each with a stable
/// <c>code</c> from <see cref="ErrorCodes"/>, and for a 400 the bad fields under <c>errors</c>.</summary>
public static class Problems
{
    /// <summary>The extension member holding the machine-readable code.</summary>
    public const string CodeMember = "code";

    /// <summary>The path prefix of the surface that answers with problem details.</summary>
    public const string PathPrefix = "/v1";

    /// <summary>True when <paramref name="request"/> is for the surface that answers with problem details.</summary>
    public static bool AppliesTo(HttpRequest request) => request.Path.StartsWithSegments(PathPrefix);

    /// <summary>400 naming each bad field (a JSON path such as <c>message.parts</c>, or a query parameter) and what is wrong with it.</summary>
    public static ProblemHttpResult BadRequest(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid",
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
            Extensions = { [CodeMember] = ErrorCodes.InvalidRequest },
        });

    /// <summary>400 for one bad field.</summary>
    public static ProblemHttpResult BadRequest(string field, string error) =>
        BadRequest(new Dictionary<string, string[]> { [field] = [error] });

    /// <summary>404 for a session that does not exist for this caller (never created, expired, deleted, or someone else's).</summary>
    public static ProblemHttpResult SessionNotFound() =>
        Create(StatusCodes.Status404NotFound, ErrorCodes.SessionNotFound, "Session not found",
            "No session with this id exists for you.");

    /// <summary>409: a reply is already being generated in this session.</summary>
    public static ProblemHttpResult TurnInFlight() =>
        Create(StatusCodes.Status409Conflict, ErrorCodes.TurnInFlight, "A reply is in flight",
            "A reply is already being generated in this session; wait for it to finish, resume it, or stop it.");

    /// <summary>409: the session was created with another persona.</summary>
    public static ProblemHttpResult PersonaMismatch() =>
        Create(StatusCodes.Status409Conflict, ErrorCodes.PersonaMismatch, "Persona mismatch",
            "This session was created with another persona; start a new chat to change personas.");

    /// <summary>413 for a body over the size limit.</summary>
    public static ProblemHttpResult TooLarge(long limit) =>
        Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.BodyTooLarge, "Request body too large",
            $"The request body is larger than {limit} bytes.");

    /// <summary>502 when the chat model failed before producing anything (503 when the reply could not be stored).</summary>
    public static ProblemHttpResult ModelFailed(string? code) => code == ErrorCodes.StorageUnavailable
        ? Unavailable()
        : Create(StatusCodes.Status502BadGateway, code ?? ErrorCodes.ModelError, "The chat model failed",
            "The chat model could not answer; your message was saved, please try again.");

    /// <summary>503 when storage or the cluster is unreachable.</summary>
    public static ProblemHttpResult Unavailable() =>
        Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "Service unavailable",
            "The service is temporarily unavailable (storage unreachable); please retry.");

    /// <summary>401 for a missing or invalid bearer token.</summary>
    public static ProblemHttpResult Unauthorized() =>
        Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Unauthorized",
            "A valid bearer token is required.");

    /// <summary>The answer for a session grain's refusal, or null for any other exception.</summary>
    public static ProblemHttpResult? FromRefusal(Exception exception) => exception switch
    {
        SessionNotFoundException => SessionNotFound(),
        TurnInFlightException => TurnInFlight(),
        RoleMismatchException => PersonaMismatch(),
        _ => null,
    };

    /// <summary>The problem for an exception a route did not handle itself; unknown faults are a plain 500.</summary>
    public static ProblemDetails FromException(Exception exception)
    {
        if (FromRefusal(exception) is { } refusal)
        {
            return refusal.ProblemDetails;
        }

        var (status, error) = ApiErrors.FromException(exception);
        return Create(status, error.Code ?? ErrorCodes.InternalError, error.Error, error.Error).ProblemDetails;
    }

    private static ProblemHttpResult Create(int status, string code, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Extensions = { [CodeMember] = code },
        });
}

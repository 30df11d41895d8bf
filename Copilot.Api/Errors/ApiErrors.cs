using System.Data.Common;
using System.Net.Sockets;
using Copilot.Grains;
using Copilot.Grains.Faults;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Copilot.Api.Errors;

/// <summary>The service's error answers, in one place, so every route says the same thing for the same fault.</summary>
public static class ApiErrors
{
    /// <summary>400 with a description of the bad input.</summary>
    public static JsonHttpResult<ApiError> BadRequest(string error) =>
        TypedResults.Json(new ApiError(error, ErrorCodes.InvalidRequest), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>404 for a session that does not exist for this caller (never created, expired, or someone else's).</summary>
    public static JsonHttpResult<ApiError> SessionNotFound() =>
        TypedResults.Json(new ApiError("Session not found", ErrorCodes.SessionNotFound), statusCode: StatusCodes.Status404NotFound);

    /// <summary>413 for a body over the size limit.</summary>
    public static JsonHttpResult<ApiError> TooLarge(long limit) =>
        TypedResults.Json(
            new ApiError($"Request body is larger than {limit} bytes", ErrorCodes.BodyTooLarge),
            statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>502 when the chat model failed before producing anything.</summary>
    public static JsonHttpResult<ApiError> ModelFailed(string? code) =>
        TypedResults.Json(
            new ApiError("The chat model could not answer; your message was saved, please try again", code ?? ErrorCodes.ModelError),
            statusCode: StatusCodes.Status502BadGateway);

    /// <summary>The status and body for an exception a route did not handle itself; unknown faults are a plain 500.</summary>
    public static (int Status, ApiError Error) FromException(Exception exception) => exception switch
    {
        SessionNotFoundException => (StatusCodes.Status404NotFound, new ApiError("Session not found", ErrorCodes.SessionNotFound)),
        TurnInFlightException => (StatusCodes.Status409Conflict,
            new ApiError("A reply is already being generated in this session; wait for it to finish", ErrorCodes.TurnInFlight)),
        RoleMismatchException => (StatusCodes.Status409Conflict,
            new ApiError("This session was created with another role; start a new session to change roles", ErrorCodes.RoleMismatch)),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, new ApiError("Request body is too large", ErrorCodes.BodyTooLarge)),
        BadHttpRequestException bad => (bad.StatusCode, new ApiError("Bad request", ErrorCodes.InvalidRequest)),
        _ when IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable,
            new ApiError("The service is temporarily unavailable (storage unreachable); please retry", ErrorCodes.Unavailable)),
        _ => (StatusCodes.Status500InternalServerError, new ApiError("Internal server error", ErrorCodes.InternalError)),
    };

    /// <summary>True when the cause is the database or the cluster being unreachable rather than a bug.</summary>
    /// <remarks>A stale ETag (<see cref="Orleans.Storage.InconsistentStateException"/>) is transient too: Orleans
    /// deactivates the activation that hit it, and a retry reads the stored state afresh.</remarks>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or SocketException or TimeoutException
                or StorageUnavailableException or Orleans.Storage.InconsistentStateException
                or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException
                || (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUnavailable)))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Data.Common;
using System.Net.Sockets;
using Copilot.Grains;
using Copilot.Grains.Faults;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.Errors;

/// <summary>The error table: every refusal of both surfaces, with its status, code, title and text, in one place.</summary>
internal static class ApiErrors
{
    private const string InvalidTitle = "The request is invalid";

    /// <summary>A session that does not exist for this caller (never created, expired, deleted, or someone else's).</summary>
    /// <remarks>The text is the seed's own, which its panel shows.</remarks>
    public static readonly ApiFault SessionNotFound =
        new(StatusCodes.Status404NotFound, ErrorCodes.SessionNotFound, "Session not found", "Session not found");

    /// <summary>A message id (stored or the client's) that the session does not hold.</summary>
    public static readonly ApiFault MessageNotFound = new(
        StatusCodes.Status404NotFound, ErrorCodes.MessageNotFound, "Message not found", "This session holds no message with this id");

    /// <summary>Feedback on a message that is not a reply: only the assistant's messages are rated.</summary>
    public static readonly ApiFault NotAReply = new(
        StatusCodes.Status400BadRequest, ErrorCodes.NotAReply, "Not a reply", "Only replies (assistant messages) take feedback");

    /// <summary>A share token that names no live share: never made, revoked and expired answer the same.</summary>
    public static readonly ApiFault ShareNotFound = new(
        StatusCodes.Status404NotFound, ErrorCodes.ShareNotFound, "Share not found", "This link does not exist or no longer works");

    public static readonly ApiFault TurnInFlight = new(
        StatusCodes.Status409Conflict, ErrorCodes.TurnInFlight, "A reply is in flight",
        "A reply is already being generated in this session; wait for it to finish");

    /// <summary>The session was created with another persona (the seed surface calls the persona its role).</summary>
    public static readonly ApiFault PersonaMismatch = new(
        StatusCodes.Status409Conflict, ErrorCodes.PersonaMismatch, "Persona mismatch",
        "This session was created with another persona (role); start a new session to change it");

    /// <summary>The user has as many sessions as <c>Copilot:Sessions:MaxPerUser</c> allows.</summary>
    public static readonly ApiFault SessionLimit = new(
        StatusCodes.Status409Conflict, ErrorCodes.SessionLimit, "Too many conversations",
        "You have reached the maximum number of conversations; delete old conversations to start a new one");

    /// <summary>The user has as many live share links as <c>Copilot:Sessions:MaxSharesPerUser</c> allows.</summary>
    public static readonly ApiFault ShareLimit = new(
        StatusCodes.Status409Conflict, ErrorCodes.ShareLimit, "Too many share links",
        "You have reached the maximum number of share links; revoke old links to share another conversation");

    /// <summary>No valid bearer token. The seed surface answers a bad token with this text and no code.</summary>
    public static readonly ApiFault Unauthorized =
        new(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Unauthorized", "Unauthorized");

    /// <summary>Storage or the cluster is unreachable: nothing was lost, and a retry can succeed. PostgreSQL restarting
    /// or a silo failing over takes a few seconds, which is what the retry should wait.</summary>
    public static readonly ApiFault Unavailable = new(
        StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "Service unavailable",
        "The service is temporarily unavailable (storage unreachable); please retry")
    {
        RetryAfterSeconds = "5",
    };

    /// <summary>The search index is not whole yet after PostgreSQL lost it; the conversations themselves are intact.</summary>
    public static readonly ApiFault SearchRebuilding = new(
        StatusCodes.Status503ServiceUnavailable, ErrorCodes.SearchRebuilding, "Search is being rebuilt",
        "The search index is being rebuilt after a database restart; your conversations are intact, please retry shortly")
    {
        RetryAfterSeconds = "5",
    };

    /// <summary>A fault the service did not expect; its text names nothing of the cause.</summary>
    public static readonly ApiFault InternalError = new(
        StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "Internal server error", "Internal server error");

    /// <summary>A page that does not exist: an unknown route.</summary>
    public static readonly ApiFault RouteNotFound = new(
        StatusCodes.Status404NotFound, ErrorCodes.NotFound, "Not found", "No such route; see /docs for the API");

    public static readonly ApiFault MethodNotAllowed = new(
        StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed, "Method not allowed",
        "This route does not accept this method; see /docs for the API");

    public static readonly ApiFault UnsupportedMediaType = new(
        StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "Unsupported media type",
        "The request body must be JSON (Content-Type: application/json)");

    /// <summary>A request the framework refused before any handler ran (a parameter that could not be bound).</summary>
    public static readonly ApiFault Unreadable = BadRequest("The request could not be read");

    /// <summary>The fault for a response the framework ended with <paramref name="status"/> and no body, or null
    /// when that status keeps no body (a 404 outside the surfaces that answer problems).</summary>
    public static ApiFault? ForEmptyResponse(int status, HttpRequest request) => status switch
    {
        StatusCodes.Status404NotFound when ApiFault.UsesProblems(request) => RouteNotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status400BadRequest => Unreadable,
        _ => null,
    };

    /// <summary>No such file for this caller, or a bad or expired signed link: all look the same.</summary>
    public static readonly ApiFault FileNotFound =
        new(StatusCodes.Status404NotFound, ErrorCodes.FileNotFound, "File not found", "File not found");

    public static ApiFault FileTooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge, ErrorCodes.FileTooLarge, "Image too large",
        $"The image is larger than {limit} bytes; send a smaller photo");

    public static ApiFault ImageTooLarge(long pixels, long limit) => new(
        StatusCodes.Status413PayloadTooLarge, ErrorCodes.ImageTooLarge, "Image too large",
        $"The image has {pixels} pixels, more than the limit of {limit}; send a smaller photo");

    public static ApiFault TooManyFiles(int limit) => new(
        StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooManyFiles, "Too many images",
        $"A message can carry at most {limit} images");

    public static ApiFault UnsupportedImage(string text) =>
        new(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "Unsupported image type", text);

    public static ApiFault InvalidImage(string text) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidImage, "The image is invalid", text);

    public static ApiFault StorageQuotaExceeded(long quotaBytes) => new(
        StatusCodes.Status429TooManyRequests, ErrorCodes.StorageQuotaExceeded, "Storage quota exceeded",
        $"Your stored images would exceed the quota of {quotaBytes} bytes; delete conversations with images to make room");

    public static ApiFault BadRequest(string text) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, InvalidTitle, text);

    /// <summary>A 400 naming each bad field (a JSON path such as <c>message.parts</c>, or a query parameter).</summary>
    public static ApiFault InvalidFields(IDictionary<string, string[]> fields) => new(
        StatusCodes.Status400BadRequest,
        ErrorCodes.InvalidRequest,
        InvalidTitle,
        string.Join("; ", fields.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        fields);

    public static ApiFault InvalidField(string field, string error) =>
        InvalidFields(new Dictionary<string, string[]> { [field] = [error] });

    /// <summary>A body over the size limit (<paramref name="limit"/> bytes, when known).</summary>
    public static ApiFault TooLarge(long? limit = null) => new(
        StatusCodes.Status413PayloadTooLarge, ErrorCodes.BodyTooLarge, "Request body too large",
        limit is null ? "The request body is too large" : $"The request body is larger than {limit} bytes");

    /// <summary>The chat model failed before producing anything (<paramref name="code"/> says how); a reply that
    /// could not be stored is <see cref="Unavailable"/>.</summary>
    /// <remarks>"Try again" is said only where it can help: credentials the provider refuses need the operator, and a
    /// request it rejects is rejected again as it stands.</remarks>
    public static ApiFault ModelFailed(string? code) => code == ErrorCodes.StorageUnavailable
        ? Unavailable
        : new(StatusCodes.Status502BadGateway, code ?? ErrorCodes.ModelError, "The chat model failed", code switch
        {
            ErrorCodes.ModelAuthFailed =>
                "The chat model refused the service's credentials; your message was saved. Trying again will not help until the service's operator fixes its model settings",
            ErrorCodes.ModelRejected =>
                "The chat model rejected this request; your message was saved. Sending it again as it stands will be rejected again: rephrase it or start a new conversation",
            _ => "The chat model could not answer; your message was saved, please try again",
        });

    public static ApiFault RateLimited(string text) =>
        new(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too Many Requests", text);

    public static ApiFault QuotaExceeded(string text) =>
        new(StatusCodes.Status429TooManyRequests, ErrorCodes.QuotaExceeded, "Too Many Requests", text);

    /// <summary>A session grain's refusal, or null for any other exception.</summary>
    public static ApiFault? FromRefusal(Exception exception) => exception switch
    {
        SessionNotFoundException => SessionNotFound,
        TurnInFlightException => TurnInFlight,
        RoleMismatchException => PersonaMismatch,
        SessionLimitException => SessionLimit,
        ShareLimitException => ShareLimit,
        _ => null,
    };

    /// <summary>The answer for an exception a route did not handle itself; unknown faults are a plain 500.</summary>
    public static ApiFault FromException(Exception exception) => FromRefusal(exception) ?? exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(),
        BadHttpRequestException bad => BadRequest("Bad request") with { Status = bad.StatusCode },
        _ when IsUnavailable(exception) => Unavailable,
        _ => InternalError,
    };

    /// <summary>True when the cause is the database or the cluster being unreachable rather than a bug; a database error
    /// of SQLSTATE class 22 (data exception) or 42 (syntax error or access rule violation) is a bug.</summary>
    /// <remarks>A stale ETag (<see cref="Orleans.Storage.InconsistentStateException"/>) is transient too: Orleans
    /// deactivates the activation that hit it, and a retry reads the stored state afresh.</remarks>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException { SqlState: ['2', '2', ..] or ['4', '2', ..] })
            {
                // A value PostgreSQL refused (class 22) or a statement it could not run (class 42): a bug to see, not an
                // outage to retry.
                return false;
            }

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

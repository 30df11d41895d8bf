namespace Copilot.Grains;

/// <summary>Every machine-readable error code the service stores with a message or sends on the wire, in one place.</summary>
/// <remarks>Stored codes are part of the stored format and wire codes part of the API: add codes, never rename one.</remarks>
public static class ErrorCodes
{
    /// <summary>The chat model was unreachable (connection refused, DNS, TLS).</summary>
    public const string ModelUnreachable = "model_unreachable";

    /// <summary>The model provider said it is overloaded or the key is over its rate limit (HTTP 429).</summary>
    public const string ModelRateLimited = "model_rate_limited";

    /// <summary>The model provider failed (HTTP 5xx).</summary>
    public const string ModelUnavailable = "model_unavailable";

    /// <summary>The model provider refused the credentials (HTTP 401/403).</summary>
    public const string ModelAuthFailed = "model_auth_failed";

    /// <summary>The model provider rejected the request (other HTTP 4xx).</summary>
    public const string ModelRejected = "model_rejected";

    /// <summary>No chunk arrived from the model within the configured timeout.</summary>
    public const string ModelTimeout = "model_timeout";

    /// <summary>Any other model failure.</summary>
    public const string ModelError = "model_error";

    /// <summary>Stored with a reply whose activation ended before it finished (a crash or a stop past the grace period).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The reply could not be stored: the database was unreachable.</summary>
    public const string StorageUnavailable = "storage_unavailable";

    /// <summary>400: the request is malformed or a field is invalid.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>401: no valid bearer token.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>404: the session does not exist for this caller (never created, expired, deleted, or someone else's).</summary>
    public const string SessionNotFound = "session_not_found";

    /// <summary>404: the session holds no message with this id (stored or the client's).</summary>
    public const string MessageNotFound = "message_not_found";

    /// <summary>400: feedback was sent for a message that is not a reply (a user or system message).</summary>
    public const string NotAReply = "not_a_reply";

    /// <summary>404: no live share has this token (never made, revoked, expired: indistinguishable).</summary>
    public const string ShareNotFound = "share_not_found";

    /// <summary>409: a reply is already being generated in this session.</summary>
    public const string TurnInFlight = "turn_in_flight";

    /// <summary>409: the session was created with another persona (the seed surface calls the persona its role).</summary>
    public const string PersonaMismatch = "persona_mismatch";

    /// <summary>409: the user has as many sessions as allowed; deleting old ones makes room.</summary>
    public const string SessionLimit = "session_limit";

    /// <summary>409: the user has as many live share links as allowed; revoking some (or their expiry) makes room.</summary>
    public const string ShareLimit = "share_limit";

    /// <summary>404 on /v1: no route has this path.</summary>
    public const string NotFound = "not_found";

    /// <summary>405: the route exists but not with this method.</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>415: the body's content type is not one the route reads (JSON), or an upload is not an image type the
    /// service takes (JPEG, PNG, WebP, GIF, HEIC).</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>413: the request body is over the size limit.</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>413: an image is over the upload size limit, as sent.</summary>
    public const string FileTooLarge = "file_too_large";

    /// <summary>413: an image has more pixels than the limit (refused before its pixels are decoded).</summary>
    public const string ImageTooLarge = "image_too_large";

    /// <summary>413: a message has more images than the limit.</summary>
    public const string TooManyFiles = "too_many_files";

    /// <summary>400: the bytes are not the declared type, or are truncated or damaged.</summary>
    public const string InvalidImage = "invalid_image";

    /// <summary>404: no such file for this caller (never uploaded, deleted, someone else's, or a bad or expired link).</summary>
    public const string FileNotFound = "file_not_found";

    /// <summary>429: the caller's stored images would exceed the per-user storage quota.</summary>
    public const string StorageQuotaExceeded = "storage_quota_exceeded";

    /// <summary>429: the caller sent too many requests; see <c>Retry-After</c>.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>429: the caller used up today's model-token quota.</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>503: storage or the cluster is unreachable right now.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>503: the search index is being rebuilt (PostgreSQL lost it in a crash); nothing stored is lost.</summary>
    public const string SearchRebuilding = "search_rebuilding";

    /// <summary>500: a fault the service did not expect.</summary>
    public const string InternalError = "internal_error";
}

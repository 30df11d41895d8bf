namespace Copilot.Api.RateLimiting;

/// <summary>How a route answers a send refused by a limit.</summary>
internal enum LimitRejectionFormat
{
    /// <summary>The seed surface's <c>{"error": "...", "code": "..."}</c>.</summary>
    Seed,

    /// <summary>RFC 9457 <c>application/problem+json</c> with a <c>code</c> extension (the /v1 API).</summary>
    ProblemDetails,
}

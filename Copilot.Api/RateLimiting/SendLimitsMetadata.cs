namespace Copilot.Api.RateLimiting;

/// <summary>Endpoint metadata: the route takes part in the send limits and answers refusals in <paramref name="Format"/>.</summary>
/// <param name="Format">The error format of a 429.</param>
internal sealed record class SendLimitsMetadata(LimitRejectionFormat Format);

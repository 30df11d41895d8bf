using System.Globalization;
using Copilot.Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.RateLimiting;

/// <summary>429 with <c>Retry-After</c>, in the format the route asked for with
/// <see cref="SendLimits.RequireCopilotSendLimits{TBuilder}"/>.</summary>
/// <param name="Fault">The refusal (<see cref="ApiErrors.RateLimited"/> or <see cref="ApiErrors.QuotaExceeded"/>).</param>
/// <param name="RetryAfter">When a retry can succeed.</param>
internal sealed record class LimitRejectedResult(ApiFault Fault, TimeSpan RetryAfter) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers[HeaderNames.RetryAfter] =
            Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var format = httpContext.GetEndpoint()?.Metadata.GetMetadata<SendLimitsMetadata>()?.Format ?? LimitRejectionFormat.Seed;
        await (format == LimitRejectionFormat.ProblemDetails ? Fault.ToProblem() : (IResult)Fault.ToSeed()).ExecuteAsync(httpContext);
    }
}

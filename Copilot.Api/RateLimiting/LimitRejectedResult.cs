using System.Globalization;
using Copilot.Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.RateLimiting;

/// <summary>429 with <c>Retry-After</c>, in the format the route asked for with
/// <see cref="SendLimits.RequireCopilotSendLimits{TBuilder}"/>.</summary>
/// <param name="Code">The error code (<see cref="Grains.ErrorCodes.RateLimited"/> or <see cref="Grains.ErrorCodes.QuotaExceeded"/>).</param>
/// <param name="Message">What is wrong, for a person.</param>
/// <param name="RetryAfter">When a retry can succeed.</param>
internal sealed record class LimitRejectedResult(string Code, string Message, TimeSpan RetryAfter) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers[HeaderNames.RetryAfter] =
            Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var format = httpContext.GetEndpoint()?.Metadata.GetMetadata<SendLimitsMetadata>()?.Format ?? LimitRejectionFormat.Seed;
        if (format == LimitRejectionFormat.ProblemDetails)
        {
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too Many Requests",
                Detail = Message,
                Extensions = { ["code"] = Code },
            };
            await response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json", httpContext.RequestAborted);
        }
        else
        {
            await response.WriteAsJsonAsync(new ApiError(Message, Code), httpContext.RequestAborted);
        }
    }
}

using Copilot.Api.Auth;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.RateLimiting;

/// <summary>Admits a session rename or delete through the user's write bucket (creates are admitted where the session
/// grain creates the session).</summary>
internal sealed class WriteLimitFilter(IGrainFactory grains, CopilotMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true &&
            await grains.GetGrain<IUserLimitsGrain>(user.GetUserId()).TryWriteAsync() is { IsAdmitted: false } refused)
        {
            return LimitRefusals.Answer(refused, metrics);
        }

        return await next(context);
    }
}

using Copilot.Api.Auth;
using Copilot.Grains.Telemetry;
using Copilot.Grains.Usage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Copilot.Api.RateLimiting;

/// <summary>Admits a send, before anything is read or stored, through the user's limits grain: today's quota, a free
/// stream slot and a token of the send bucket. The slot goes with the turn the send starts (<see cref="StreamSlot"/>);
/// a send that starts none frees it when it is answered.</summary>
internal sealed partial class SendLimitFilter(IGrainFactory grains, CopilotMetrics metrics, ILogger<SendLimitFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        if (httpContext.User.Identity?.IsAuthenticated != true)
        {
            return await next(context);
        }

        var limits = grains.GetGrain<IUserLimitsGrain>(httpContext.User.GetUserId());
        var slot = new StreamSlot(Guid.NewGuid());
        var decision = await limits.TryStartSendAsync(slot.Id);
        if (!decision.IsAdmitted)
        {
            return LimitRefusals.Answer(decision, metrics);
        }

        httpContext.Features.Set(slot);
        try
        {
            return await next(context);
        }
        catch (WriteLimitException ex)
        {
            // The send would have created a session past the write bucket.
            return LimitRefusals.Answer(LimitDecision.Refused(LimitDecision.WritesReason, ex.RetryAfter), metrics);
        }
        finally
        {
            if (!slot.HandedOver)
            {
                await ReleaseAsync(limits, slot.Id);
            }
        }
    }

    private async Task ReleaseAsync(IUserLimitsGrain limits, Guid slot)
    {
        try
        {
            await limits.ReleaseSlotAsync(slot);
        }
        catch (Exception ex)
        {
            LogNotReleased(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A send's stream slot could not be released; its lease runs out on its own")]
    private partial void LogNotReleased(Exception exception);
}

using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.RateLimiting;

/// <summary>The stream slot <see cref="SendLimitFilter"/> admitted for a send (a request feature): handed over to the
/// turn the send starts, which holds it until it ends.</summary>
internal sealed class StreamSlot(Guid id)
{
    public Guid Id { get; } = id;

    /// <summary>Whether a turn took the slot; the filter frees it otherwise.</summary>
    public bool HandedOver { get; private set; }

    /// <summary>The slot to put in the send's <see cref="TurnRequest.StreamSlot"/>; null on a route without send limits.</summary>
    public static Guid? Of(HttpContext httpContext) => httpContext.Features.Get<StreamSlot>()?.Id;

    /// <summary>Records that the send started a turn (not the replay of an earlier one), which now holds the slot.</summary>
    public static void Started(HttpContext httpContext, TurnStarted started)
    {
        if (!started.Replayed && httpContext.Features.Get<StreamSlot>() is { } slot)
        {
            slot.HandedOver = true;
        }
    }
}

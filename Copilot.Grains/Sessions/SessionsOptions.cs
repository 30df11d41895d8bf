using System.ComponentModel.DataAnnotations;

namespace Copilot.Grains.Sessions;

/// <summary>Session limits and lifetimes, bound from <c>Copilot:Sessions</c>.</summary>
public sealed class SessionsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Copilot:Sessions";

    /// <summary>The service key of the <see cref="TimeProvider"/> session logic reads (idle deadlines, message times).</summary>
    /// <remarks>Kept apart from the unkeyed clock so tests can move session time (with Orleans' own
    /// <c>"Orleans.Reminders"</c> clock) without moving token lifetimes or the runtime's timers.</remarks>
    public const string ClockKey = "Copilot.Sessions";

    /// <summary>Room kept in every stored header for fields other than the open page (title, turn markers).</summary>
    public const int HeaderReserveBytes = 8 * 1024;

    /// <summary>How long a session may sit untouched before it is deleted. Default 30 days.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Orleans' minimum reminder period; lower it only together with a short <see cref="IdleTimeout"/>. Default 1 minute.</summary>
    public TimeSpan ReminderMinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Messages in the open page before it is sealed. Default 100.</summary>
    [Range(2, 10_000)]
    public int PageMaxMessages { get; set; } = 100;

    /// <summary>Bytes of stored JSON a session row may reach before its open page is sealed. Default 256 KiB.</summary>
    [Range(16 * 1024, 16 * 1024 * 1024)]
    public int PageMaxBytes { get; set; } = 256 * 1024;

    /// <summary>Characters of history (newest first) sent to the model with each turn. Default 24,000.</summary>
    [Range(1, 10_000_000)]
    public int ContextBudgetChars { get; set; } = 24_000;

    /// <summary>Most history messages sent to the model with each turn. Default 40.</summary>
    [Range(1, 10_000)]
    public int ContextMaxMessages { get; set; } = 40;

    /// <summary>Longest user message accepted, in characters. Default 16,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageChars { get; set; } = 16_000;

    /// <summary>Longest assistant reply kept, in characters; a longer stream is cut there. Default 64,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxReplyChars { get; set; } = 64_000;

    /// <summary>How long a stopping silo lets an in-flight reply finish before recording it as interrupted. Default 20 s.</summary>
    public TimeSpan TurnShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);
}

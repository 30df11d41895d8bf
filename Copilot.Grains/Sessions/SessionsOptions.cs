using System.ComponentModel.DataAnnotations;

namespace Copilot.Grains.Sessions;

/// <summary>Session limits and lifetimes, bound from <c>Copilot:Sessions</c>.</summary>
public sealed class SessionsOptions
{
    public const string SectionName = "Copilot:Sessions";

    /// <summary>The service key of the <see cref="TimeProvider"/> session logic reads (idle deadlines, message times).</summary>
    /// <remarks>Kept apart from the unkeyed clock so tests can move session time (with Orleans' own
    /// <c>"Orleans.Reminders"</c> clock) without moving token lifetimes or the runtime's timers.</remarks>
    public const string ClockKey = "Copilot.Sessions";

    /// <summary>How long a session may sit untouched before it is deleted. Default 30 days.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Orleans' minimum reminder period; lower it only together with a short <see cref="IdleTimeout"/>. Default 1 minute.</summary>
    public TimeSpan ReminderMinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Messages in the unsealed tail before it is sealed into a page. Default 100.</summary>
    [Range(2, 10_000)]
    public int PageMaxMessages { get; set; } = 100;

    /// <summary>Bytes of stored JSON a sealed page may reach (unless one message alone is larger). Default 256 KiB.</summary>
    [Range(16 * 1024, 16 * 1024 * 1024)]
    public int PageMaxBytes { get; set; } = 256 * 1024;

    /// <summary>Characters of history (newest first) sent to the model with each turn. Default 24,000.</summary>
    [Range(1, 10_000_000)]
    public int ContextBudgetChars { get; set; } = 24_000;

    /// <summary>Most history messages sent to the model with each turn. Default 40.</summary>
    [Range(1, 10_000)]
    public int ContextMaxMessages { get; set; } = 40;

    /// <summary>Sessions one user may have; a new one past this is refused (409 <c>session_limit</c>) until the user
    /// deletes some. Default 1,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxPerUser { get; set; } = 1_000;

    /// <summary>Live share links one user may have; each holds a copy of its conversation, so a new one past this is
    /// refused (409 <c>share_limit</c>) until the user revokes some or they expire. Default 100.</summary>
    [Range(1, 100_000)]
    public int MaxSharesPerUser { get; set; } = 100;

    /// <summary>Most images sent to the model with each turn, the newest first (those of the new message, then earlier
    /// ones in the context window). Default 4; 0 sends none.</summary>
    [Range(0, 100)]
    public int ContextMaxImages { get; set; } = 4;

    /// <summary>Longest user message accepted, in characters. Default 16,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageChars { get; set; } = 16_000;

    /// <summary>Longest assistant reply kept, in characters; a longer stream is cut there. Default 64,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxReplyChars { get; set; } = 64_000;

    /// <summary>How long a stopping silo lets an in-flight reply finish before recording it as interrupted. Default 20 s.</summary>
    public TimeSpan TurnShutdownGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a reply whose write fails is retried (with backoff) before the turn ends as
    /// <c>storage_unavailable</c>; the activation keeps the reply and stores it once storage works. Default 15 s.</summary>
    public TimeSpan ReplyWriteRetryWindow { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an activation holding a reply it could not store tries again. Default 5 s.</summary>
    public TimeSpan UnstoredReplyRetryPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a user's session list may lag its sessions' newest activity in storage: touches are written
    /// at most this often (creates, renames and removals at once). Default 2 s.</summary>
    public TimeSpan IndexFlushInterval { get; set; } = TimeSpan.FromSeconds(2);
}

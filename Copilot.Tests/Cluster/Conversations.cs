using Copilot.Grains.Sessions;
using Copilot.Testing.Polling;

namespace Copilot.Tests.Cluster;

/// <summary>Real turns against the offline model, and retries for calls made while the cluster recovers.</summary>
public static class Conversations
{
    /// <summary>How long one call may take while a silo that has just joined loads its share of the reminder table:
    /// Orleans holds the registration of a reminder in that share for up to 20 s, then fails it with "retry later"
    /// (which the API answers with 503). A new session registers its expiry reminder, so its creation can wait that
    /// long; an attempt timeout above 20 s lets such a call fail on its own before it is retried.</summary>
    public static readonly TimeSpan JoiningSiloAttemptTimeout = TimeSpan.FromSeconds(25);

    /// <summary>Sends <paramref name="content"/> (creating the session if needed) and reads the reply until it is
    /// stored; returns the stored reply, i.e. an acknowledged turn.</summary>
    public static async Task<SessionMessage> SendAsync(
        IClusterClient client, Guid userId, Guid sessionId, string content, string clientMessageId)
    {
        var grain = client.GetGrain<ISessionGrain>(sessionId);
        var started = await grain.StartTurnAsync(
            userId, new TurnRequest { Content = content, ClientMessageId = clientMessageId, CreateIfMissing = true });
        var offset = 0;
        for (var read = 0; read < 30; read++)
        {
            var progress = await grain.ReadReplyAsync(userId, started.TurnId, offset, TimeSpan.FromSeconds(2));
            if (progress.Done)
            {
                return progress.Message
                    ?? throw new InvalidOperationException($"Turn {started.TurnId} ended unstored ({progress.ErrorCode}).");
            }

            offset = progress.NextOffset;
        }

        throw new TimeoutException($"Turn {started.TurnId} of session {sessionId} did not end.");
    }

    /// <summary>Repeats <paramref name="attempt"/> until it succeeds or <paramref name="deadline"/> has passed; each
    /// attempt may take up to <paramref name="attemptTimeout"/>. Failed attempts are reported to <paramref name="failed"/>.</summary>
    /// <remarks>Failure detection runs on the wall clock, so recovery can only be waited for in real time.</remarks>
    public static Task<T> RetryAsync<T>(
        Func<Task<T>> attempt, TimeSpan deadline, TimeSpan attemptTimeout, Action<Exception>? failed = null) =>
        Poll.RetryAsync(() => attempt().WaitAsync(attemptTimeout), deadline, TimeSpan.FromMilliseconds(200), failed: failed);
}

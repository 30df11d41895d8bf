using Copilot.Api.Errors;
using Copilot.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Shared;

/// <summary>Reads a turn's reply as every streamed answer does: in place when the turn runs in this silo
/// (<see cref="LocalReplies"/>), else by polling its session grain.</summary>
internal static class ReplyPolling
{
    /// <summary>How long one poll of the grain waits for more text.</summary>
    public static readonly TimeSpan PollWait = TimeSpan.FromSeconds(5);

    /// <summary>How long past <see cref="PollWait"/> a poll may go unanswered before it counts as lost and is asked
    /// again. Orleans' own response timeout is 30 s; a poll whose message was lost while a silo restarted would
    /// otherwise hold the stream that long and then break it.</summary>
    public static readonly TimeSpan PollAnswerGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long a stream that has started keeps asking for more while storage or the cluster is unreachable
    /// (a PostgreSQL restart, a silo failing over) before it gives up.</summary>
    public static readonly TimeSpan OutageWindow = TimeSpan.FromSeconds(20);

    /// <summary>The reply from <paramref name="offset"/>: read in place when its turn runs in this silo, else polled from
    /// the session grain, asked again with backoff while the session cannot be reached (or a poll goes unanswered) for
    /// <see cref="OutageWindow"/>: once a 200 is under way, a short outage must not break the stream. Polls only read,
    /// so one abandoned and asked again changes nothing.</summary>
    /// <param name="local">The replies running in this silo, or null to always poll the grain
    /// (<see cref="ReadsInPlace"/>).</param>
    /// <param name="grain">The session.</param>
    /// <param name="userId">Its owner.</param>
    /// <param name="turnId">The turn.</param>
    /// <param name="offset">What the client has.</param>
    /// <param name="gather">How long the model's text may gather once there is more
    /// (<see cref="ApiOptions.StreamCoalesceWindow"/>), unless the reply ends first: one read, write and flush per window
    /// instead of per chunk, and the end of a reply written at once.</param>
    /// <param name="cancellationToken">The client left.</param>
    public static async Task<ReplyProgress> NextAsync(
        LocalReplies? local, ISessionGrain grain, Guid userId, Guid turnId, int offset, TimeSpan gather, CancellationToken cancellationToken)
    {
        if (local?.TryRead(userId, turnId, offset, PollWait, gather) is { } inPlace)
        {
            return await inPlace.WaitAsync(cancellationToken);
        }

        var deadline = DateTime.UtcNow + OutageWindow;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return await grain.ReadReplyAsync(userId, turnId, offset, PollWait, gather)
                    .WaitAsync(PollWait + gather + PollAnswerGrace, cancellationToken);
            }
            catch (SessionNotFoundException)
            {
                // Deleted while its reply streamed (by its owner, or with the user's data): the delete stopped the
                // reply, so the stream ends as stopped with what the client has, instead of breaking.
                return new ReplyProgress { Text = "", NextOffset = offset, Done = true, Status = MessageStatus.Stopped };
            }
            catch (Exception ex) when (ApiErrors.IsUnavailable(ex) && DateTime.UtcNow + delay < deadline)
            {
                await Task.Delay(delay, cancellationToken);
                delay = delay * 2 < TimeSpan.FromSeconds(2) ? delay * 2 : TimeSpan.FromSeconds(2);
            }
        }
    }

    /// <summary>Waits for the first text or the end of the turn, whichever comes first, read as <see cref="NextAsync"/>
    /// reads: a poll lost while a silo restarts is asked again, an outage is ridden out for <see cref="OutageWindow"/>.
    /// The question is stored and its turn running by now, so answering "try again" here would have it stored twice.</summary>
    public static async Task<ReplyProgress> FirstProgressAsync(
        LocalReplies? local, ISessionGrain grain, Guid userId, Guid turnId, CancellationToken cancellationToken)
    {
        ReplyProgress progress;
        do
        {
            progress = await NextAsync(local, grain, userId, turnId, 0, TimeSpan.Zero, cancellationToken);
        }
        while (!progress.Done && progress.NextOffset == 0);

        return progress;
    }

    /// <summary>The replies running in this silo, when <see cref="ApiOptions.ReadRepliesInPlace"/> is on and the API
    /// runs in a silo; else null, and every read polls the session grain.</summary>
    public static LocalReplies? ReadsInPlace(IServiceProvider services) =>
        services.GetRequiredService<IOptions<ApiOptions>>().Value.ReadRepliesInPlace ? services.GetService<LocalReplies>() : null;
}

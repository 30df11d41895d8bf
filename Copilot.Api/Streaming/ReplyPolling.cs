using Copilot.Grains.Sessions;

namespace Copilot.Api.Streaming;

/// <summary>Reads a turn's reply from its session grain by polling, as every streamed answer does.</summary>
public static class ReplyPolling
{
    /// <summary>How long one poll of the grain waits for more text.</summary>
    public static readonly TimeSpan PollWait = TimeSpan.FromSeconds(5);

    /// <summary>Waits for the first text or the end of the turn, whichever comes first.</summary>
    public static async Task<ReplyProgress> FirstProgressAsync(ISessionGrain grain, Guid userId, Guid turnId)
    {
        ReplyProgress progress;
        do
        {
            progress = await grain.ReadReplyAsync(userId, turnId, 0, PollWait);
        }
        while (!progress.Done && progress.NextOffset == 0);

        return progress;
    }
}

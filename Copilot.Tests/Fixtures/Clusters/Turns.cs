using Copilot.Grains.Sessions;

namespace Copilot.Tests.Fixtures.Clusters;

/// <summary>Drives turns the way the API does: start one, then read the reply until it is done.</summary>
public static class Turns
{
    /// <summary>How long one read waits for more text; only a broken turn ever waits this long.</summary>
    public static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(5);

    /// <summary>Reads from <paramref name="offset"/> until the text has grown past it or the turn is done.</summary>
    public static async Task<ReplyProgress> ReadMoreAsync(ISessionGrain grain, Guid userId, Guid turnId, int offset)
    {
        while (true)
        {
            var progress = await grain.ReadReplyAsync(userId, turnId, offset, ReadWait);
            if (progress.Text.Length > 0 || progress.Done)
            {
                return progress;
            }
        }
    }

    /// <summary>Every read that carried text or ended the turn, from <paramref name="offset"/> to the end.</summary>
    public static async Task<IReadOnlyList<ReplyProgress>> ReadToEndAsync(
        ISessionGrain grain, Guid userId, Guid turnId, int offset = 0)
    {
        var reads = new List<ReplyProgress>();
        while (true)
        {
            var progress = await ReadMoreAsync(grain, userId, turnId, offset);
            reads.Add(progress);
            if (progress.Done)
            {
                return reads;
            }

            offset = progress.NextOffset;
        }
    }

    /// <summary>Sends <paramref name="content"/> and reads the reply to its end; returns the final read.</summary>
    public static async Task<ReplyProgress> SendAsync(ISessionGrain grain, Guid userId, string content)
    {
        var started = await grain.StartTurnAsync(userId, new TurnRequest { Content = content });
        return (await ReadToEndAsync(grain, userId, started.TurnId))[^1];
    }
}

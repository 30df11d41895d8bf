using Copilot.Grains.Sessions.Storage;
using Microsoft.Extensions.Logging;

namespace Copilot.Grains.Users;

/// <summary>What one session tells its user's list (<see cref="IUserSessionsGrain"/>): at once when it is created or
/// renamed, as a coalesced touch after a turn.</summary>
internal sealed partial class SessionIndexWriter(
    IGrainFactory grains, Func<SessionState> header, Func<bool> turnRunning, ILogger logger)
{
    /// <summary>Updates the list: at once when <paramref name="required"/> (create, rename), else as a coalesced touch
    /// that the list writes within its flush interval.</summary>
    public async Task UpdateAsync(bool required = false)
    {
        var state = header();
        var index = grains.GetGrain<IUserSessionsGrain>(state.OwnerId);
        var summary = SessionProjections.ToSummary(state, turnRunning());
        try
        {
            await (required ? index.UpsertAsync(summary) : index.TouchAsync(summary));
        }
        catch (Exception ex) when (!required)
        {
            // The messages are stored; the list catches up on the session's next touch.
            LogIndexNotUpdated(ex, state.Id);
        }
    }

    /// <summary>Lists a session whose first question is stored, at once; when the list cannot take it now, the failure
    /// is logged and left to the session's next touch (a send whose question is stored must not fail for its list).</summary>
    public async Task ListStoredAsync()
    {
        try
        {
            await UpdateAsync(required: true);
        }
        catch (Exception ex)
        {
            LogIndexNotUpdated(ex, header().Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the user's session index could not be updated")]
    private partial void LogIndexNotUpdated(Exception exception, Guid sessionId);
}

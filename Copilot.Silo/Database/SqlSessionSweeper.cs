using System.Runtime.ExceptionServices;
using Copilot.Api.Admin;
using Copilot.Grains;
using Copilot.Grains.Sessions;
using Copilot.Grains.Shares;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Copilot.Silo.Database;

/// <summary>Finds idle sessions with one query over the stored headers, then lets each session grain decide and
/// delete itself, the longest idle first, so the sweep and the reminders share one code path and can race harmlessly. It also deletes expired
/// share rows (which already answer 404: this only frees their space).</summary>
internal sealed partial class SqlSessionSweeper(
    CopilotDatabase database,
    IGrainFactory grains,
    IShareStore shares,
    IOptions<ClusterOptions> cluster,
    IOptions<SessionsOptions> sessions,
    [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time,
    ILogger<SqlSessionSweeper> logger) : ISessionSweeper
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - sessions.Value.IdleTimeout;
        var candidates = new List<Guid>();
        await using (var command = database.DataSource.CreateCommand(
            """
            SELECT (doc ->> 'id')::uuid
            FROM orleansstorage s
            CROSS JOIN LATERAL jsonb(convert_from(s.payloadbinary, 'UTF8')) AS doc
            WHERE s.graintypestring = @stateName
              AND s.serviceid = @serviceId
              AND s.payloadbinary IS NOT NULL
              AND doc ->> 'id' IS NOT NULL
              AND (doc ->> 'status' = 'expiring' OR (doc ->> 'updated_at')::timestamptz < @cutoff)
            ORDER BY (doc ->> 'updated_at')::timestamptz
            """))
        {
            command.Parameters.AddWithValue("stateName", CopilotStorage.SessionStateName);
            command.Parameters.AddWithValue("serviceId", cluster.Value.ServiceId);
            command.Parameters.AddWithValue("cutoff", cutoff);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                candidates.Add(reader.GetGuid(0));
            }
        }

        // One session that cannot be deleted now (storage failing on its rows) must not keep the others: each is tried,
        // and the sweep still fails afterwards, so that the cron job's retry is honest.
        var expired = 0;
        Exception? firstFailure = null;
        foreach (var sessionId in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await grains.GetGrain<ISessionGrain>(sessionId).ExpireIfIdleAsync())
                {
                    expired++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSessionNotExpired(ex, sessionId);
                firstFailure ??= ex;
            }
        }

        await shares.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken);
        LogSwept(candidates.Count, expired);
        if (firstFailure is not null)
        {
            ExceptionDispatchInfo.Throw(firstFailure);
        }

        return expired;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry sweep: session {SessionId} could not be expired now; the sweep goes on")]
    private partial void LogSessionNotExpired(Exception exception, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Expiry sweep: {Candidates} idle candidate(s), {Expired} expired")]
    private partial void LogSwept(int candidates, int expired);
}

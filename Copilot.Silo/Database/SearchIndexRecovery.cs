namespace Copilot.Silo.Database;

/// <summary>Brings the search index back when PostgreSQL has lost it: the index is unlogged, so its crash recovery (or
/// a standby's promotion) leaves it empty (<c>sql/0016_copilot_search_unlogged.sql</c>). Checked when the silo starts
/// and whenever a search finds the index not whole; the rebuild runs in the background, in one process of the cluster
/// at a time, beside the service's writes and searches.</summary>
internal sealed partial class SearchIndexRecovery(CopilotDatabase database, ILogger<SearchIndexRecovery> logger) : IHostedService
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    /// <summary>Checks the index once the database is ready (<see cref="DatabaseInitializer"/> starts before this).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureRebuilding();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        Task running;
        lock (_lock)
        {
            running = _running;
        }

        await running.WaitAsync(cancellationToken);
    }

    /// <summary>Starts a rebuild in the background if the index is lost, unless one runs in this process already (the
    /// database's advisory lock keeps other processes from running a second).</summary>
    public void EnsureRebuilding()
    {
        lock (_lock)
        {
            if (_running.IsCompleted && !_stopping.IsCancellationRequested)
            {
                _running = Task.Run(RebuildIfLostAsync);
            }
        }
    }

    private async Task RebuildIfLostAsync()
    {
        try
        {
            if (await database.RebuildLostSearchIndexAsync(_stopping.Token) is { } rows)
            {
                LogRebuilt(rows);
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the index stays marked lost, and the next silo to start or search rebuilds it.
        }
        catch (Exception ex)
        {
            // PostgreSQL unreachable, say: searches keep answering 503 and the next one starts this again.
            LogRebuildFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search index rebuilt after it was lost: {Rows} rows")]
    private partial void LogRebuilt(long rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuilding the lost search index failed; the next search retries")]
    private partial void LogRebuildFailed(Exception exception);
}

using Orleans.Storage;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>The sealed pages of one session: each its own storage row (state <c>copilotsessionpage</c>, key: session
/// id + page number), written once and read back on demand.</summary>
/// <remarks>The session header is the source of truth for which pages exist; a row numbered at or past its
/// <see cref="SessionState.SealedPageCount"/> is an orphan of a seal whose header write failed.</remarks>
internal sealed class SessionPageStore(IGrainStorage storage, Guid sessionId)
{
    private readonly SessionRows<SessionPage> _rows = new(storage, CopilotStorage.SessionPageStateName, sessionId);

    /// <summary>The newest sealed page, kept because building the next model input usually needs it.</summary>
    private SessionPage? _newest;

    /// <summary>Writes a newly sealed page.</summary>
    public async Task WriteAsync(SessionPage page)
    {
        var pageState = new GrainState<SessionPage>(page);
        try
        {
            await _rows.WriteAsync(page.PageNumber, pageState);
        }
        catch (InconsistentStateException)
        {
            // A row already holds this page number only when an earlier seal wrote it and then the header write
            // failed. The header never counted that row, so it is an orphan: overwrite it.
            var orphan = await _rows.ReadAsync(page.PageNumber);
            pageState.ETag = orphan.ETag;
            await _rows.WriteAsync(page.PageNumber, pageState);
        }

        _newest = page;
    }

    /// <summary>Reads a sealed page; <paramref name="isNewest"/> keeps it cached.</summary>
    public async Task<SessionPage> ReadAsync(int pageNumber, bool isNewest)
    {
        if (_newest is { } cached && cached.PageNumber == pageNumber)
        {
            return cached;
        }

        var row = await _rows.ReadAsync(pageNumber);
        if (!row.RecordExists || row.State is null)
        {
            throw new InvalidOperationException($"Sealed page {pageNumber} of session {sessionId} is missing from storage.");
        }

        if (isNewest)
        {
            _newest = row.State;
        }

        return row.State;
    }

    /// <summary>Deletes pages 0 to <paramref name="sealedPageCount"/> (one past the last, for a possible orphan).</summary>
    public async Task DeleteAllAsync(int sealedPageCount)
    {
        for (var pageNumber = 0; pageNumber <= sealedPageCount; pageNumber++)
        {
            var row = await _rows.ReadAsync(pageNumber);
            if (row.RecordExists)
            {
                await _rows.DeleteAsync(pageNumber, row);
            }
        }

        _newest = null;
    }

    /// <summary>Drops the cached page if the header no longer counts it (its write was rolled back).</summary>
    public void Forget(int sealedPageCount)
    {
        if (_newest is { } cached && cached.PageNumber >= sealedPageCount)
        {
            _newest = null;
        }
    }
}

using System.Globalization;
using Orleans.Storage;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>Numbered rows of one session under one state name (key: session id + number as the key extension),
/// read and written through the session's grain storage provider.</summary>
internal sealed class SessionRows<T>(IGrainStorage storage, string stateName, Guid sessionId)
    where T : class, new()
{
    private readonly GrainType _grainType = GrainType.Create(stateName);

    public async Task<GrainState<T>> ReadAsync(long number)
    {
        var row = new GrainState<T>();
        await storage.ReadStateAsync(stateName, IdOf(number), row);
        return row;
    }

    /// <summary>Writes <paramref name="row"/>; an ETag of null inserts, and fails if the row exists.</summary>
    public Task WriteAsync(long number, GrainState<T> row) => storage.WriteStateAsync(stateName, IdOf(number), row);

    public Task DeleteAsync(long number, GrainState<T> row) => storage.ClearStateAsync(stateName, IdOf(number), row);

    private GrainId IdOf(long number) =>
        GrainId.Create(_grainType, GrainIdKeyExtensions.CreateGuidKey(sessionId, number.ToString(CultureInfo.InvariantCulture)));
}

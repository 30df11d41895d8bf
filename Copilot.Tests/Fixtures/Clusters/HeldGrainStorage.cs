using Copilot.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Copilot.Tests.Fixtures.Clusters;

/// <summary>The silo's real grain storage with one kind of write held back until the test lets it through, so a test
/// can order two writers the way a race would, without a wall-clock window.</summary>
/// <remarks>Install with <see cref="Install"/> after the silo's storage is registered (a cluster's <c>configureSilo</c>).
/// Reads and every other write pass straight through.</remarks>
public sealed class HeldGrainStorage(IGrainStorage inner, StorageHold hold) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Wraps the <see cref="CopilotStorage.ProviderName"/> storage of <paramref name="services"/> in a
    /// <see cref="HeldGrainStorage"/> obeying <paramref name="hold"/>.</summary>
    public static void Install(IServiceCollection services, StorageHold hold)
    {
        var real = services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, CopilotStorage.ProviderName));
        var create = real.KeyedImplementationFactory!;
        services.AddKeyedSingleton<IGrainStorage>(
            CopilotStorage.ProviderName, (provider, key) => new HeldGrainStorage((IGrainStorage)create(provider, key), hold));
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await hold.PassAsync(stateName);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
}

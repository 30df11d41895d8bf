using Copilot.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Copilot.Tests.Fixtures;

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

/// <summary>Which writes a <see cref="HeldGrainStorage"/> holds back: the next write of one state name, once armed.</summary>
public sealed class StorageHold
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _stateName;

    /// <summary>Completes when the held write has arrived (and is waiting).</summary>
    public Task Reached => _reached.Task;

    /// <summary>Holds the next write of <paramref name="stateName"/>.</summary>
    public void Arm(string stateName) => Volatile.Write(ref _stateName, stateName);

    /// <summary>Lets the held write (and any later one) through.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Fails the held write (and any later held one) with <paramref name="error"/>, as storage refusing it would.</summary>
    public void Fail(Exception error) => _released.TrySetException(error);

    internal Task PassAsync(string stateName)
    {
        // Disarmed by reference: the name the write carries is equal to the armed one, not necessarily the same string.
        var armed = Volatile.Read(ref _stateName);
        if (armed != stateName || !ReferenceEquals(Interlocked.CompareExchange(ref _stateName, null, armed), armed))
        {
            return Task.CompletedTask;
        }

        _reached.TrySetResult();
        return _released.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}

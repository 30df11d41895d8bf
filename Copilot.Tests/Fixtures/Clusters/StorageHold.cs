namespace Copilot.Tests.Fixtures.Clusters;

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

using System.Data.Common;
using System.Net.Sockets;
using Orleans.Storage;

namespace Copilot.Grains.Faults;

/// <summary>Turns a storage failure escaping a grain call into a <see cref="StorageUnavailableException"/>, which
/// Orleans can carry to a caller on another silo; everything else passes unchanged.</summary>
/// <remarks>
/// Orleans' state storage wraps the driver's exception (<c>NpgsqlException</c>, <c>PostgresException</c>) in an
/// <see cref="OrleansException"/>; the driver's types have no Orleans codec, so a caller on another silo would get a
/// serialization failure instead of the fault. An <see cref="InconsistentStateException"/> (a stale ETag) is left
/// alone: Orleans deactivates the activation when that exact exception escapes a call, and the next call then reads
/// the stored state afresh; converting it would keep the stale activation answering 503. A grain whose state cannot be
/// read fails to activate before any filter runs; the silo lets Orleans' exception codec carry the driver's exceptions
/// for that case (<c>OrleansHosting.AddCopilotGrains</c>).
/// </remarks>
public sealed class StorageFaultFilter : IIncomingGrainCallFilter
{
    /// <inheritdoc />
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (FindStorageFault(ex) is { } fault)
        {
            // Without the cause, which is what cannot cross; Orleans' storage bridge has logged it already.
            throw new StorageUnavailableException($"Storage is unavailable ({fault.GetType().Name}: {fault.Message})");
        }
    }

    /// <summary>The database or network failure behind <paramref name="exception"/>, or null when there is none or the
    /// failure is a write conflict (<see cref="InconsistentStateException"/>).</summary>
    public static Exception? FindStorageFault(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception? fault = null;
        foreach (var e in Chain(exception))
        {
            if (e is InconsistentStateException)
            {
                return null;
            }

            fault ??= e is DbException or SocketException ? e : null;
        }

        return fault;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}

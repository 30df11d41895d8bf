using System.Diagnostics;

namespace Copilot.Testing.Polling;

/// <summary>Asks again, at an interval, until something holds or a deadline passes: for work a caller started but
/// cannot await (a process starting, a reminder tick, a background reply).</summary>
public static class Poll
{
    /// <summary>Evaluates <paramref name="condition"/> every <paramref name="interval"/> until it holds (true) or
    /// <paramref name="timeout"/> has passed (false).</summary>
    public static async Task<bool> UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(interval, cancellationToken);
        }

        return true;
    }

    /// <summary>Evaluates <paramref name="attempt"/> every <paramref name="interval"/> until it returns a value, or
    /// null once <paramref name="timeout"/> has passed.</summary>
    public static async Task<T?> ForAsync<T>(
        Func<Task<T?>> attempt, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(attempt);
        T? found = null;
        await UntilAsync(async () => (found = await attempt()) is not null, timeout, interval, cancellationToken);
        return found;
    }

    /// <summary>Runs <paramref name="attempt"/> until it returns without throwing. An exception
    /// <paramref name="retryable"/> accepts (default: any) is reported to <paramref name="failed"/> and the attempt made
    /// again after <paramref name="interval"/>, until <paramref name="timeout"/> has passed; after that it propagates.</summary>
    public static async Task<T> RetryAsync<T>(
        Func<Task<T>> attempt,
        TimeSpan timeout,
        TimeSpan interval,
        Func<Exception, bool>? retryable = null,
        Action<Exception>? failed = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception ex) when (clock.Elapsed < timeout && (retryable?.Invoke(ex) ?? true))
            {
                failed?.Invoke(ex);
                await Task.Delay(interval);
            }
        }
    }
}

using System.Diagnostics;

namespace Copilot.Bench.Measuring;

/// <summary>Runs <c>workers</c> loops of one operation each, back to back (a closed loop: each worker starts its next
/// operation when the last one ends), for a warm-up and then a measured window.</summary>
/// <remarks>An operation counts when it starts and ends inside the window. Hooks run at the window's edges (to read
/// PostgreSQL's WAL position) while the workers keep going.</remarks>
internal static class ClosedLoop
{
    /// <summary>Runs the loops; <paramref name="operation"/> gets the worker number and a cancellation token.</summary>
    public static async Task<LoadResult> RunAsync(
        int workers,
        TimeSpan warmup,
        TimeSpan duration,
        Func<int, CancellationToken, Task> operation,
        Func<Task>? atWindowStart = null,
        Func<Task>? atWindowEnd = null,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var windowStart = warmup;
        var windowEnd = warmup + duration;
        var latencies = new List<double>[workers];
        var errors = 0;
        string? firstError = null;

        async Task WorkerAsync(int worker)
        {
            var mine = latencies[worker] = new List<double>(4096);
            while (clock.Elapsed < windowEnd && !cancellationToken.IsCancellationRequested)
            {
                var start = clock.Elapsed;
                try
                {
                    await operation(worker, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    await Task.Delay(10, CancellationToken.None);
                    continue;
                }

                var end = clock.Elapsed;
                if (start >= windowStart && end <= windowEnd)
                {
                    mine.Add((end - start).TotalMilliseconds);
                }
            }
        }

        async Task EdgesAsync()
        {
            await Task.Delay(windowStart, cancellationToken);
            if (atWindowStart is not null)
            {
                await atWindowStart();
            }

            var left = windowEnd - clock.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, cancellationToken);
            }

            if (atWindowEnd is not null)
            {
                await atWindowEnd();
            }
        }

        await Task.WhenAll([.. Enumerable.Range(0, workers).Select(WorkerAsync), EdgesAsync()]);
        cancellationToken.ThrowIfCancellationRequested();
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count, duration, LatencySummary.From(all), errors, firstError);
    }

    /// <summary>Runs <paramref name="workers"/> loops of <paramref name="warmup"/> unmeasured operations each, then, once
    /// all have ended, <paramref name="operations"/> measured ones each; the hooks run when the measured ones start and
    /// after the last has ended.</summary>
    /// <remarks>For operations that last seconds: a time window charges to the few operations that start and end inside
    /// it the CPU and WAL of those still running at its edges (with 2 workers, 8 s and 3 s operations, twice their
    /// cost). Here every operation measured is whole, and nothing else runs. <see cref="LoadResult.Window"/> is the
    /// measured time, its tail with fewer workers busy included.</remarks>
    public static async Task<LoadResult> CountedAsync(
        int workers,
        int warmup,
        int operations,
        Func<int, CancellationToken, Task> operation,
        Func<Task>? atStart = null,
        Func<Task>? atEnd = null,
        CancellationToken cancellationToken = default)
    {
        var latencies = new List<double>[workers];
        var errors = 0;
        string? firstError = null;

        async Task WorkerAsync(int worker, int count, List<double>? timed)
        {
            for (var i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, cancellationToken);
                    timed?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(w, warmup, null)));
        if (atStart is not null)
        {
            await atStart();
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(w, operations, latencies[w] = new List<double>(operations))));
        var window = clock.Elapsed;
        if (atEnd is not null)
        {
            await atEnd();
        }

        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count, window, LatencySummary.From(all), errors, firstError);
    }

    /// <summary>Runs <paramref name="operation"/> <paramref name="count"/> times one after another, timing each.</summary>
    public static async Task<LatencySummary> SequentialAsync(
        int count, Func<int, Task> operation, CancellationToken cancellationToken = default)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            await operation(i);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return LatencySummary.From(latencies);
    }
}

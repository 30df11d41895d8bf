using Copilot.Bench;
using Copilot.Bench.Reporting;

if (args is ["--check-docs-writer"])
{
    return DocsSection.SelfCheck();
}

BenchSettings? settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}\n\n{BenchSettings.Usage}");
    return 2;
}

if (settings is null)
{
    Console.WriteLine(BenchSettings.Usage);
    return 0;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
try
{
    return await Benchmark.RunAsync(settings, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Stopped.");
    return 130;
}
catch (Exception ex) when (ex is Copilot.Silo.Database.LocalPostgresException or InvalidOperationException or TimeoutException or HttpRequestException or Npgsql.NpgsqlException)
{
    // Could not start or reach the service: say why in one line, not with a stack trace.
    await Console.Error.WriteLineAsync($"error: {ex.Message}");
    return 1;
}

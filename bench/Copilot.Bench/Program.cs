using Copilot.Bench;

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
return await Benchmark.RunAsync(settings, stop.Token);

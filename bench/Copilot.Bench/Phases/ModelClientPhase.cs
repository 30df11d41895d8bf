using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Copilot.Bench.Hosting;
using Copilot.Grains.ChatModel;
using Copilot.Silo.Hosting;
using Microsoft.Extensions.AI;

namespace Copilot.Bench.Phases;

/// <summary>The model client alone, with no service and no database: the same model server, the same users in a closed
/// loop, each stream read to its end, once through the service's client (<see cref="ChatModelHosting.CreateOpenAIClient"/>:
/// OpenAI's .NET SDK through its protocol method, in the bench's own process) and once through the seed's (the <c>openai</c> npm
/// client, in a Node process). What a streamed turn costs before the service does anything with the text.</summary>
internal static class ModelClientPhase
{
    /// <summary>The client the service calls the model with.</summary>
    public const string DotNet = "OpenAI .NET SDK, protocol method and SseParser (the service's)";

    /// <summary>The client the seed's route calls the model with.</summary>
    public const string Node = "openai on Node (the seed's)";

    /// <summary>Measures both clients at <paramref name="users"/> users.</summary>
    public static async Task<IReadOnlyList<ModelClientFigure>> RunAsync(
        int modelPort, int users, StreamSettings stream, CancellationToken cancellationToken)
    {
        var warmup = TurnLength(stream) + stream.Warmup;
        await Console.Error.WriteLineAsync($"   model clients alone, {users} users (load average {Reporting.MachineInfo.LoadAverage()})");
        var dotnet = await DotNetAsync(modelPort, users, warmup, stream, cancellationToken);
        var node = await NodeAsync(modelPort, users, warmup, stream, cancellationToken);
        foreach (var figure in new[] { dotnet, node })
        {
            await Console.Error.WriteLineAsync(FormattableString.Invariant(
                $"      {figure.Client}: {figure.PerSecond:0.0} streams/s, CPU ms/stream {figure.CpuMilliseconds:0.0}"));
        }

        return [dotnet, node];
    }

    /// <summary>How long one reply streams.</summary>
    public static TimeSpan TurnLength(StreamSettings stream) =>
        TimeSpan.FromMilliseconds(stream.PaceMilliseconds * Math.Ceiling((double)stream.ReplyChars / stream.ChunkChars));

    private static async Task<ModelClientFigure> DotNetAsync(
        int modelPort, int users, TimeSpan warmup, StreamSettings stream, CancellationToken cancellationToken)
    {
        var options = new ChatModelOptions
        {
            Provider = ChatModelProvider.OpenAI,
            Endpoint = new Uri($"http://127.0.0.1:{modelPort}/v1"),
            ApiKey = "bench",
            Model = "bench-model",
        };
        using var client = ChatModelHosting.CreateOpenAIClient(options);
        var chatOptions = new ChatOptions { ModelId = options.Model, Temperature = options.Temperature, MaxOutputTokens = options.MaxOutputTokens };
        var clock = Stopwatch.StartNew();
        var windowEnd = warmup + stream.Duration;
        var ended = 0;
        var incomplete = 0;

        async Task UserAsync(int user)
        {
            await Task.Delay(warmup * user / users, cancellationToken);
            while (clock.Elapsed < windowEnd)
            {
                var characters = 0;
                await foreach (var update in client.GetStreamingResponseAsync(
                    [new ChatMessage(ChatRole.User, "What should I check first?")], chatOptions, cancellationToken))
                {
                    characters += update.Text.Length;
                }

                var end = clock.Elapsed;
                if (end >= warmup && end <= windowEnd)
                {
                    Interlocked.Increment(ref ended);
                    if (characters != stream.ReplyChars)
                    {
                        Interlocked.Increment(ref incomplete);
                    }
                }
            }
        }

        async Task<TimeSpan> WindowAsync()
        {
            await Task.Delay(warmup, cancellationToken);
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.Delay(stream.Duration, cancellationToken);
            return Process.GetCurrentProcess().TotalProcessorTime - before;
        }

        var window = WindowAsync();
        await Task.WhenAll(Enumerable.Range(0, users).Select(UserAsync));
        if (incomplete > 0)
        {
            throw new InvalidOperationException($"{incomplete} streams through the .NET client did not arrive whole.");
        }

        return new ModelClientFigure(DotNet, users, ended / stream.Duration.TotalSeconds, (await window).TotalMilliseconds / ended);
    }

    private static async Task<ModelClientFigure> NodeAsync(
        int modelPort, int users, TimeSpan warmup, StreamSettings stream, CancellationToken cancellationToken)
    {
        var output = Path.GetTempFileName();
        try
        {
            var arguments = new[] { modelPort, users, (int)Math.Ceiling(warmup.TotalSeconds), (int)stream.Duration.TotalSeconds }
                .Select(n => n.ToString(CultureInfo.InvariantCulture)).Append(output);
            await using (var node = await NodeScripts.StartAsync("model-client.mjs", arguments, cancellationToken))
            {
                await node.WaitForExitAsync(warmup + stream.Duration + (2 * TurnLength(stream)), cancellationToken);
            }

            using var result = JsonDocument.Parse(await File.ReadAllTextAsync(output, cancellationToken));
            var streams = result.RootElement.GetProperty("streams").GetInt32();
            var characters = result.RootElement.GetProperty("characters").GetInt64();
            if (characters != (long)streams * stream.ReplyChars)
            {
                throw new InvalidOperationException("Streams through the Node client did not arrive whole.");
            }

            return new ModelClientFigure(
                Node, users, streams / stream.Duration.TotalSeconds, result.RootElement.GetProperty("cpuMilliseconds").GetDouble() / streams);
        }
        finally
        {
            File.Delete(output);
        }
    }
}

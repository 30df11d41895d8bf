using System.Globalization;
using Copilot.Bench.Hosting;
using Copilot.Bench.Measuring;
using Copilot.Silo.Hosting;
using Npgsql;

namespace Copilot.Bench.Phases;

/// <summary>The streaming phase end to end: the fake model server, our service calling it through its OpenAI provider
/// (once as configured, then once per variant), and the seed's route on Node calling the same server, on the same
/// PostgreSQL, at each concurrency.</summary>
internal static class StreamRun
{
    /// <summary>The variant name of the service as configured.</summary>
    public const string Current = "ours";

    /// <summary>The side name of the seed's route.</summary>
    public const string Seed = "seed on Node";

    /// <summary>The surfaces our service is measured on, in the order they run.</summary>
    private static readonly string[] Surfaces = ["POST /api/copilot", "POST /v1/chat"];

    /// <summary>Runs every side at every concurrency, then the model clients alone; the figures in the order they ran.</summary>
    public static async Task<StreamResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var stream = settings.Stream;
        var maxUsers = stream.Users.Max();
        await NodeScripts.InstallAsync(cancellationToken);
        var modelPort = LoopbackPorts.FindFree();
        await using var model = await NodeScripts.StartAsync(
            "model-server.mjs",
            [.. new[] { modelPort, stream.ChunkChars, stream.PaceMilliseconds, stream.ReplyChars }.Select(n => n.ToString(CultureInfo.InvariantCulture))],
            cancellationToken);
        var modelSettings = new Dictionary<string, string>
        {
            ["Copilot__ChatModel__Provider"] = "OpenAI",
            ["Copilot__ChatModel__Endpoint"] = $"http://127.0.0.1:{modelPort}/v1",
            ["Copilot__ChatModel__ApiKey"] = "bench",
            ["Copilot__ChatModel__Model"] = "bench-model",
            ["Copilot__Sessions__MaxReplyChars"] = Math.Max(stream.ReplyChars, 64_000).ToString(CultureInfo.InvariantCulture),
        };

        var figures = new List<StreamFigure>();
        var variants = new List<(string Name, IReadOnlyDictionary<string, string> Settings)> { (Current, new Dictionary<string, string>()) };
        variants.AddRange(stream.Variants.Select(v => (v.Key, v.Value)));
        var first = true;
        foreach (var (name, extra) in variants)
        {
            var silo = new Dictionary<string, string>(settings.SiloSettings);
            foreach (var (key, value) in modelSettings.Concat(extra))
            {
                silo[key] = value;
            }

            await Console.Error.WriteLineAsync($"   -- {name}");
            await using var target = await LocalService.StartAsync(settings with { SiloSettings = silo, Users = maxUsers }, 0, cancellationToken);
            var postgres = target.Cpu!;
            using var http = ServiceTarget.CreateHttpClient(target.BaseAddress, maxUsers);

            await WarmUpAsync(
                [.. Surfaces.Select(surface => new StreamPhase.Side(name, surface, target.Silo!.Id, http, target.TokenFor, StoresReadableHistory: false))],
                stream, settings.ServiceWarmup, postgres, model.Id, cancellationToken);
            foreach (var users in stream.Users)
            {
                foreach (var surface in Surfaces)
                {
                    var side = new StreamPhase.Side(name, surface, target.Silo!.Id, http, target.TokenFor, StoresReadableHistory: true);
                    figures.Add(await MeasureAsync(side, users, stream, postgres, model.Id, cancellationToken));
                }
            }

            if (first)
            {
                first = false;
                figures.AddRange(await SeedAsync(target, stream, settings.ServiceWarmup, postgres, modelPort, model.Id, cancellationToken));
            }
        }

        var clients = new List<ModelClientFigure>();
        foreach (var users in stream.Users)
        {
            clients.AddRange(await ModelClientPhase.RunAsync(modelPort, users, stream, cancellationToken));
        }

        return new StreamResult(figures, clients);
    }

    private static async Task<List<StreamFigure>> SeedAsync(
        ServiceTarget target, StreamSettings stream, TimeSpan warmup, CpuMeter postgres, int modelPort, int modelPid, CancellationToken cancellationToken)
    {
        await BaselineSchema.CreateAsync(target.Database!, cancellationToken);
        try
        {
            var database = new NpgsqlConnectionStringBuilder(target.ConnectionString);
            var url = $"postgres://{Uri.EscapeDataString(database.Username ?? "postgres")}:{Uri.EscapeDataString(database.Password ?? "")}" +
                $"@{database.Host}:{database.Port}/{database.Database}";
            var port = LoopbackPorts.FindFree();
            await using var seed = await NodeScripts.StartAsync(
                "seed-route.mjs",
                [port.ToString(CultureInfo.InvariantCulture), url, BaselineSchema.Name, target.JwtSecret!, $"http://127.0.0.1:{modelPort}/v1"],
                cancellationToken);
            using var http = ServiceTarget.CreateHttpClient(new Uri($"http://127.0.0.1:{port}"), stream.Users.Max());
            var figures = new List<StreamFigure>();
            await WarmUpAsync(
                [new StreamPhase.Side(Seed, "POST /api/copilot", seed.Id, http, target.TokenFor, StoresReadableHistory: false)],
                stream, warmup, postgres, modelPid, cancellationToken);
            foreach (var users in stream.Users)
            {
                var side = new StreamPhase.Side(Seed, "POST /api/copilot", seed.Id, http, target.TokenFor, StoresReadableHistory: false);
                figures.Add(await MeasureAsync(side, users, stream, postgres, modelPid, cancellationToken));
            }

            return figures;
        }
        finally
        {
            await BaselineSchema.DropAsync(target.Database!);
        }
    }

    /// <summary>Unmeasured streamed turns, the warm-up's time shared between the surfaces a side is measured on: a fresh
    /// process on two busy cores spends its first turns in the JIT, and without this the first route measured saw
    /// almost none of its turns end inside the window; a surface left out would be measured while its own code (the
    /// <c>/v1</c> request's parsing, its event writer) was still being compiled.</summary>
    private static async Task WarmUpAsync(
        IReadOnlyList<StreamPhase.Side> sides, StreamSettings stream, TimeSpan warmup, CpuMeter postgres, int modelPid, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync($"   {sides[0].Name}: warm-up, {warmup.TotalSeconds:0} s of streamed turns on {string.Join(" and ", sides.Select(s => s.Surface))}, not measured");
        foreach (var side in sides)
        {
            await StreamPhase.RunAsync(side, stream.Users.Min(), stream with { Duration = warmup / sides.Count }, postgres, modelPid, cancellationToken);
        }
    }

    private static async Task<StreamFigure> MeasureAsync(
        StreamPhase.Side side, int users, StreamSettings stream, CpuMeter postgres, int modelPid, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync($"   {side.Name}, {side.Surface}, {users} users (load average {Reporting.MachineInfo.LoadAverage()})");
        var figure = await StreamPhase.RunAsync(side, users, stream, postgres, modelPid, cancellationToken);
        await Console.Error.WriteLineAsync(FormattableString.Invariant(
            $"      {figure.PerSecond:0.0} turns/s, CPU ms/turn {figure.Cpu?.Service:0.0} + {figure.Cpu?.Postgres:0.0} (model {figure.Cpu?.Model:0.0}, client {figure.Cpu?.Client:0.0}), first text p99 {figure.FirstText.P99:0} ms ({figure.FirstTextContinued.P99:0} in continued sessions), longest pause p99 {figure.LongestPause.P99:0} ms, errors {figure.Errors} {figure.FirstError}"));
        return figure;
    }
}

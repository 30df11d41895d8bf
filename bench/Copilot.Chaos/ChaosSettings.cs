using System.Globalization;

namespace Copilot.Chaos;

/// <summary>The run's knobs, from the command line.</summary>
internal sealed record class ChaosSettings
{
    /// <summary>How long users converse while faults are injected.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Virtual users: each converses in its own session, but every <see cref="PressingEvery"/>th presses on
    /// its stream limit.</summary>
    public int Users { get; init; } = 24;

    /// <summary>Seed of every random choice (which silo, which fault, when).</summary>
    public int Seed { get; init; } = Environment.TickCount & 0xFFFF;

    /// <summary>Silos in the cluster.</summary>
    public int Silos { get; init; } = 3;

    /// <summary>The offline model's delay between chunks: a reply streams long enough to be cut by a fault.</summary>
    public TimeSpan ChunkDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest a client waits for a whole answer; beyond it the answer counts as a hang. Orleans' response
    /// timeout (30 s) bounds every grain call; the reply's reads each wait at most 5 s.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>The cluster must answer through every silo within this time of the last fault.</summary>
    public TimeSpan RecoveryLimit { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Every this many users, one presses on the stream limit instead of conversing (user 3, 7, ...).</summary>
    public int PressingEvery { get; init; } = 4;

    /// <summary>The silos' <c>ConcurrentStreams</c>, the production default unless the probe's turns (one through every
    /// silo at once) plus a slot leaked by a killed silo need more: a limit under pressure from the pressing users
    /// only.</summary>
    public int StreamLimit => Math.Max(4, Silos + 1);

    /// <summary>The silos' <c>StreamSlotLease</c>: a slot left by a turn on a killed silo frees itself in this time, and
    /// a limits grain that moved knows its running turns again within a quarter of it.</summary>
    public TimeSpan StreamSlotLease { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>The body of each anonymous admin post.</summary>
    public int AdminBodyBytes { get; init; } = 25 * 1024 * 1024;

    /// <summary>Anonymous admin posts sent at once, every <see cref="AdminPostInterval"/>.</summary>
    public int AdminPostsAtOnce { get; init; } = 8;

    /// <summary>Time between two rounds of anonymous admin posts.</summary>
    public TimeSpan AdminPostInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Keep the run's logs and database when every invariant held too (a failed run always keeps them).</summary>
    public bool Keep { get; init; }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/Copilot.Chaos -- [--duration SECONDS] [--users N] [--seed N] [--silos N] [--keep]
          --duration   seconds of conversation under faults (default 180)
          --users      virtual users, one session each, but every fourth presses on its stream limit (default 24)
          --seed       seed of every random choice, to repeat a run's schedule (default: random, printed)
          --silos      silos in the local cluster (default 3)
          --keep       keep the logs and database of a run that passed too
        """;

    /// <summary>Parses <paramref name="args"/>; null after printing the usage when they are wrong or ask for help.</summary>
    public static ChaosSettings? Parse(IReadOnlyList<string> args)
    {
        var settings = new ChaosSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            int Number() => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new FormatException($"{args[i]} takes a positive whole number");
            try
            {
                if (args[i] == "--keep")
                {
                    settings = settings with { Keep = true };
                    continue;
                }

                settings = args[i] switch
                {
                    "--duration" => settings with { Duration = TimeSpan.FromSeconds(Number()) },
                    "--users" => settings with { Users = Number() },
                    "--seed" => settings with { Seed = Number() },
                    "--silos" => settings with { Silos = Number() },
                    _ => throw new FormatException(args[i] is "--help" or "-h" ? "" : $"unknown argument {args[i]}"),
                };
                i++;
            }
            catch (FormatException ex)
            {
                if (ex.Message.Length > 0)
                {
                    Console.Error.WriteLine("error: " + ex.Message);
                }

                Console.Error.WriteLine(Usage);
                return null;
            }
        }

        return settings;
    }
}

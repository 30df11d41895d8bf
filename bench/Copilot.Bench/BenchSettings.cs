using System.Globalization;
using System.Text.Json.Serialization;
using Copilot.Bench.Phases;

namespace Copilot.Bench;

/// <summary>What to measure, how long, and against which service; read from the command line.</summary>
internal sealed record class BenchSettings
{
    /// <summary>The command-line help.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project bench/Copilot.Bench -- [options]

        Starts the service itself (embedded PostgreSQL in a temp directory, offline model at zero delay,
        Jwt auth with a generated HS256 secret) unless --url is given, once per reply size, runs every phase,
        prints its tables as Markdown, writes them into docs/performance.md (between its bench markers) and
        writes JSON.

          --users N               concurrent users in the turn, seed and floor phases (default 16)
          --reply-chars LIST      reply sizes of the turn and seed phases, in characters; 0 is the offline model's
                                  short default reply (default 0,2000). The service is started once per size
                                  (Bench:ReplyChars of Copilot.BenchSilo); growth, reads and memory run at the last.
          --duration SECONDS      measured time of each closed-loop phase (default 10)
          --service-warmup SECONDS  unmeasured HTTP turns before the first phase (default 20): .NET's tiered
                                  JIT keeps recompiling hot code for ~20 s of load on 2 busy cores
          --warmup SECONDS        unmeasured time before each closed-loop phase (default 10)
          --growth-lengths LIST   history lengths for the growth phase (default 10,100,1000,5000)
          --list-sessions N       sessions of the user whose list is read, and of the users with many sessions in
                                  the lists phase (default 1000)
          --memory-sessions N     sessions activated for the memory figure (default 10000)
          --phases LIST           which phases to run (default turns,limits,seed,floor,search,growth,reads,branches,lists,
                                  memory,photos,stream; also grain: our turns through an Orleans client, without HTTP).
                                  search: turns with the search index kept and without (its triggers disabled), then
                                  searches of a user with 1,000 sessions of 20 messages among 1,000,000 messages
                                  generated in SQL (--quick: 100 sessions among 100,000). photos: a /v1 turn with one
                                  ~1.5 MB photo beside a text turn, and uploads of the photo, one user per core,
                                  each 2 operations per --duration second (at least 4; text turns 10 times as
                                  many), measured whole instead of in a time window
          --out PATH              JSON output (default bench-results/latest.json)
          --docs PATH             the page whose bench markers receive the tables (default docs/performance.md;
                                  a --quick run, or one without the turns phase, writes none unless given);
                                  --docs none writes none
          --silo-setting KEY=VAL  extra configuration for the started silo, e.g. Copilot:Sessions:PageMaxMessages=50

        The streaming phase (stream): a fake OpenAI-compatible model streaming on loopback, our routes calling it
        through the OpenAI provider, and the seed's route on Node (bench/seed-on-node) calling it too:
          --stream-users LIST     concurrencies (default 48,200)
          --chunk-chars N         characters per model chunk (default 4)
          --pace-ms N             milliseconds between chunks (default 20)
          --stream-reply-chars N  characters per reply (default 2000)
          --stream-duration SECONDS  measured time per route and concurrency (default 30)
          --stream-variant NAME:KEY=VAL  also run our routes on a silo with KEY=VAL (an A/B in the same run);
                                  repeat for more settings or variants
          --quick                 a smoke run: 2 s phases, fewer sessions, the streaming phase at 48 users with
                                  1,000-character replies (numbers are not meaningful; --quick --phases stream
                                  takes under two minutes)

        Against a running service instead:
          --url URL               its base address, e.g. http://127.0.0.1:5000
          --token TOKEN           one bearer token (every virtual user is then the same user), or
          --jwt-secret SECRET     its HS256 secret, to mint a token per virtual user (with --issuer)
          --issuer ISSUER         the issuer it requires
          --connection-string CS  its PostgreSQL database; without it the seed, floor and WAL figures are skipped
          (one --reply-chars size only: the one the service is configured with)
        """;

    /// <summary>Concurrent users in the closed-loop phases.</summary>
    public int Users { get; init; } = 16;

    /// <summary>Measured time of each closed-loop phase.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reply sizes measured, in characters; 0 is the offline model's short default reply. Growth, reads and
    /// memory run with the last.</summary>
    public IReadOnlyList<int> ReplySizes { get; init; } = [0, 2_000];

    /// <summary>The reply size of the growth, reads and memory phases.</summary>
    [JsonIgnore]
    public int LongReplyChars => ReplySizes[^1];

    /// <summary>Turns per session in the memory figure (the first through HTTP, the others appended).</summary>
    public int MemoryTurnsPerSession { get; init; } = 10;

    /// <summary>Unmeasured HTTP turns before the first phase, until .NET's tiered JIT has settled.</summary>
    public TimeSpan ServiceWarmup { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Unmeasured time before each closed-loop phase.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A smoke run with short phases.</summary>
    public bool Quick { get; init; }

    /// <summary>History lengths (messages) at which a turn is measured.</summary>
    public IReadOnlyList<int> GrowthLengths { get; init; } = [10, 100, 1000, 5000];

    /// <summary>Sessions per history length; their lengths are spread over one page of messages.</summary>
    public int GrowthSessions { get; init; } = 10;

    /// <summary>Turns measured in each growth session.</summary>
    public int GrowthTurnsPerSession { get; init; } = 10;

    /// <summary>Sessions of the user whose session list is read, and of the users with many in the lists phase.</summary>
    public int ListSessions { get; init; } = 1000;

    /// <summary>Sessions activated for the memory figure.</summary>
    public int MemorySessions { get; init; } = 10_000;

    /// <summary>Every phase, in the order they run.</summary>
    public static IReadOnlyList<string> AllPhases { get; } = ["turns", "grain", "limits", "seed", "floor", "search", "growth", "reads", "branches", "lists", "memory", "photos", "stream"];

    /// <summary>The streaming phase's model and load.</summary>
    public StreamSettings Stream { get; init; } = new();

    /// <summary>The phases to run: all but <c>grain</c> unless asked for (it costs a closed-loop window per size).</summary>
    public IReadOnlyList<string> Phases { get; init; } = [.. AllPhases.Where(p => p != "grain")];

    /// <summary>Extra configuration for the silo the bench starts.</summary>
    public IReadOnlyDictionary<string, string> SiloSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the JSON goes.</summary>
    public string OutputPath { get; init; } = Path.Combine("bench-results", "latest.json");

    /// <summary>The Markdown page whose bench markers receive the tables; null writes none.</summary>
    public string? DocsPath { get; init; } = Path.Combine("docs", "performance.md");

    /// <summary>Whether <see cref="DocsPath"/> was given: a run without the turn phases writes the page only then, as it
    /// would replace the page's tables with its own few.</summary>
    public bool DocsGiven { get; init; }

    /// <summary>A running service to measure; null starts one.</summary>
    public Uri? Url { get; init; }

    /// <summary>One bearer token for a running service.</summary>
    [JsonIgnore]
    public string? Token { get; init; }

    /// <summary>The running service's HS256 secret.</summary>
    [JsonIgnore]
    public string? JwtSecret { get; init; }

    /// <summary>The issuer the running service requires.</summary>
    public string? Issuer { get; init; }

    /// <summary>The running service's PostgreSQL database.</summary>
    [JsonIgnore]
    public string? ConnectionString { get; init; }

    /// <summary>The settings, or null when help was asked for.</summary>
    /// <exception cref="ArgumentException">An option is unknown or its value is bad.</exception>
    public static BenchSettings? Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            return null;
        }

        var settings = args.Contains("--quick")
            ? new BenchSettings
            {
                Quick = true,
                Duration = TimeSpan.FromSeconds(2),
                Warmup = TimeSpan.FromSeconds(1),
                ServiceWarmup = TimeSpan.FromSeconds(2),
                GrowthSessions = 2,
                GrowthTurnsPerSession = 2,
                ListSessions = 100,
                MemorySessions = 500,
                DocsPath = null,
                Stream = new StreamSettings { Users = [48], ReplyChars = 1_000, Warmup = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(8) },
            }
            : new BenchSettings();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--quick")
            {
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value (or is unknown).");
            }

            var value = args[++i];
            settings = name switch
            {
                "--users" => settings with { Users = Positive(name, value) },
                "--reply-chars" => settings with { ReplySizes = [.. value.Split(',').Select(v => ReplyChars(name, v))] },
                "--duration" => settings with { Duration = TimeSpan.FromSeconds(Positive(name, value)) },
                "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(NonNegative(name, value)) },
                "--service-warmup" => settings with { ServiceWarmup = TimeSpan.FromSeconds(NonNegative(name, value)) },
                "--growth-lengths" => settings with { GrowthLengths = [.. value.Split(',').Select(v => Positive(name, v))] },
                "--list-sessions" => settings with { ListSessions = Positive(name, value) },
                "--memory-sessions" => settings with { MemorySessions = Positive(name, value) },
                "--phases" => settings with { Phases = [.. value.Split(',').Select(p => AllPhases.Contains(p) ? p : throw new ArgumentException($"{name}: unknown phase '{p}'"))] },
                "--out" => settings with { OutputPath = value },
                "--docs" => settings with { DocsPath = value == "none" ? null : value, DocsGiven = true },
                "--silo-setting" => settings with { SiloSettings = WithSetting(settings.SiloSettings, name, value) },
                "--stream-users" => settings with { Stream = settings.Stream with { Users = [.. value.Split(',').Select(v => Positive(name, v))] } },
                "--chunk-chars" => settings with { Stream = settings.Stream with { ChunkChars = Positive(name, value) } },
                "--pace-ms" => settings with { Stream = settings.Stream with { PaceMilliseconds = Positive(name, value) } },
                "--stream-reply-chars" => settings with { Stream = settings.Stream with { ReplyChars = Positive(name, value) } },
                "--stream-duration" => settings with { Stream = settings.Stream with { Duration = TimeSpan.FromSeconds(Positive(name, value)) } },
                "--stream-variant" => settings with { Stream = WithVariant(settings.Stream, name, value) },
                "--url" => settings with { Url = Uri.TryCreate(value, UriKind.Absolute, out var url) ? url : throw new ArgumentException($"{name}: not an absolute URL: {value}") },
                "--token" => settings with { Token = value },
                "--jwt-secret" => settings with { JwtSecret = value },
                "--issuer" => settings with { Issuer = value },
                "--connection-string" => settings with { ConnectionString = value },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        if (settings.Url is not null && settings.Token is null && (settings.JwtSecret is null || settings.Issuer is null))
        {
            throw new ArgumentException("--url needs --token, or --jwt-secret with --issuer.");
        }

        if (settings.Url is not null && settings.SiloSettings.Count > 0)
        {
            throw new ArgumentException("--silo-setting configures the silo the bench starts; it does not go with --url.");
        }

        if (settings.Url is not null && settings.ReplySizes.Count != 1)
        {
            throw new ArgumentException("--url measures one reply size: give the one the service is configured with, e.g. --reply-chars 0.");
        }

        if (settings.Url is null && (settings.Token ?? settings.JwtSecret ?? settings.ConnectionString) is not null)
        {
            throw new ArgumentException("--token, --jwt-secret and --connection-string go with --url.");
        }

        return settings;
    }

    private static StreamSettings WithVariant(StreamSettings stream, string name, string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException($"{name}: expected NAME:KEY=VALUE, got '{value}'.");
        }

        var variant = value[..colon];
        var variants = new Dictionary<string, IReadOnlyDictionary<string, string>>(stream.Variants)
        {
            [variant] = WithSetting(stream.Variants.GetValueOrDefault(variant) ?? new Dictionary<string, string>(), name, value[(colon + 1)..]),
        };
        return stream with { Variants = variants };
    }

    private static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string name, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"{name}: expected KEY=VALUE, got '{value}'.");
        }

        return new Dictionary<string, string>(settings) { [value[..equals].Replace(":", "__", StringComparison.Ordinal)] = value[(equals + 1)..] };
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name}: expected a positive whole number, got '{value}'.");

    private static int ReplyChars(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n == 0 || n >= Copilot.Testing.ChatModel.ProseReplies.MinChars)
            ? n
            : throw new ArgumentException($"{name}: expected 0 or at least {Copilot.Testing.ChatModel.ProseReplies.MinChars}, got '{value}'.");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{name}: expected a whole number, got '{value}'.");
}

using System.Globalization;
using Copilot.Tests.Fixtures.ChatModels;
using Orleans.TestingHost;

namespace Copilot.Tests.Fixtures.Clusters;

/// <summary>A fake OpenAI server and a one-silo test cluster whose chat model is the real OpenAI client pointed at it.</summary>
/// <remarks>The context window is small (<see cref="ContextMaxMessages"/>, <see cref="ContextBudgetChars"/>) so that
/// short tests exercise it.</remarks>
public class OpenAIClusterFixture : IAsyncLifetime
{
    /// <summary>The API key the cluster is configured with.</summary>
    public const string ApiKey = "test-key";

    /// <summary>The model name the cluster is configured with.</summary>
    public const string Model = "some-test-model";

    /// <summary>The configured sampling temperature.</summary>
    public const float Temperature = 0.3f;

    /// <summary>The configured most tokens in one reply.</summary>
    public const int MaxOutputTokens = 321;

    /// <summary>The configured most history messages sent with a turn.</summary>
    public const int ContextMaxMessages = 6;

    /// <summary>The configured most characters of history sent with a turn.</summary>
    public const int ContextBudgetChars = 2000;

    private readonly int _maxRetries;

    /// <summary>A cluster whose OpenAI client does not retry, so each turn makes exactly one request.</summary>
    public OpenAIClusterFixture()
        : this(maxRetries: 0)
    {
    }

    /// <summary>A cluster whose OpenAI client retries a failed request <paramref name="maxRetries"/> times.</summary>
    protected OpenAIClusterFixture(int maxRetries)
    {
        _maxRetries = maxRetries;
    }

    /// <summary>The fake OpenAI server the cluster talks to.</summary>
    public FakeOpenAIServer Server { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        Server = await FakeOpenAIServer.StartAsync();
        Cluster = await TestClusters.StartAsync(
            "openai-" + Guid.NewGuid().ToString("N")[..8],
            settings: new Dictionary<string, string?>
            {
                ["Copilot:ChatModel:Provider"] = "OpenAI",
                ["Copilot:ChatModel:Endpoint"] = Server.Endpoint.ToString(),
                ["Copilot:ChatModel:ApiKey"] = ApiKey,
                ["Copilot:ChatModel:Model"] = Model,
                ["Copilot:ChatModel:Temperature"] = Temperature.ToString(CultureInfo.InvariantCulture),
                ["Copilot:ChatModel:MaxOutputTokens"] = MaxOutputTokens.ToString(CultureInfo.InvariantCulture),
                ["Copilot:ChatModel:MaxRetries"] = _maxRetries.ToString(CultureInfo.InvariantCulture),
                // A broken test fails in seconds rather than waiting out the default minute.
                ["Copilot:ChatModel:Timeout"] = "00:00:20",
                ["Copilot:Sessions:ContextMaxMessages"] = ContextMaxMessages.ToString(CultureInfo.InvariantCulture),
                ["Copilot:Sessions:ContextBudgetChars"] = ContextBudgetChars.ToString(CultureInfo.InvariantCulture),
            });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Server.DisposeAsync();
    }
}

namespace Copilot.Tests.Fixtures.Clusters;

/// <summary>Like <see cref="OpenAIClusterFixture"/>, but the OpenAI client retries a failed request once.</summary>
public sealed class RetryingOpenAIClusterFixture() : OpenAIClusterFixture(maxRetries: 1);

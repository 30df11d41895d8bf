namespace Copilot.Tests.Api.V1;

/// <summary>The search tests run alone, after the parallel ones: the rebuild takes an exclusive lock on the whole
/// index and re-reads every stored session of the shared database, so every other test's storage write would wait for
/// it (long enough for their calls to answer 503).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SearchCollection
{
    public const string Name = "search";
}

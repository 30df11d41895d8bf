namespace Copilot.Bench.Phases;

/// <summary>The streaming phase's figures: every route at every concurrency, and the model clients alone.</summary>
/// <param name="Routes">Ours (and its variants) and the seed's route, in the order they ran.</param>
/// <param name="ModelClients">The service's and the seed's model clients with no service around them.</param>
internal sealed record class StreamResult(IReadOnlyList<StreamFigure> Routes, IReadOnlyList<ModelClientFigure> ModelClients);

namespace Copilot.Tests.Expiry;

/// <summary>Tests that count what an expiry sweep deletes across every owner: they run when no other test runs, since
/// every sweep (other tests call it too) deletes every owner's old unsent images.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SweepsAloneCollection
{
    public const string Name = "sweeps alone";
}

namespace Copilot.Grains.Usage;

/// <summary>The persisted usage count of one user.</summary>
/// <remarks>Stored format: add fields, never rename them.</remarks>
[GenerateSerializer, Alias("copilot.user-usage-state")]
internal sealed record class UserUsageState
{
    [Id(0)] public DateOnly Day { get; set; }

    /// <summary>Model tokens (input plus output) used that day.</summary>
    [Id(1)] public long Tokens { get; set; }
}

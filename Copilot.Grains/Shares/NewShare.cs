namespace Copilot.Grains.Shares;

/// <summary>A share just made: the only time its token is known to anyone but the person it is given to.</summary>
[GenerateSerializer, Immutable, Alias("copilot.new-share")]
public sealed record class NewShare([property: Id(0)] string Token, [property: Id(1)] ShareInfo Info);

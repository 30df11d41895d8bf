namespace Copilot.Grains.Sessions.Storage;

/// <summary>The life stage of a stored session.</summary>
internal enum SessionStatus
{
    /// <summary>Live: readable and writable by its owner.</summary>
    Active,

    /// <summary>Being deleted, by its owner or by expiry; invisible everywhere, finished by the next reminder tick if
    /// interrupted.</summary>
    Expiring,
}

namespace Copilot.Grains.Files;

/// <summary>A file named for a message is no longer its owner's: deleted (its last session's deletion or expiry, or an
/// unsent upload's lifetime) since the message's files were checked. Nothing was attached.</summary>
public sealed class FileGoneException()
    : Exception("An image of this message was deleted before the message could refer to it.");

namespace Copilot.Grains.Faults;

/// <summary>Storage (PostgreSQL) could not be reached or failed while a grain call used it.</summary>
/// <remarks>What the database driver throws cannot cross the grain boundary (Orleans has no codec for it), so
/// <see cref="StorageFaultFilter"/> replaces it with this serializable exception, which the API answers with 503.</remarks>
[GenerateSerializer, Alias("copilot.storage-unavailable")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
        : base("Storage is unavailable.")
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <remarks>Orleans serializes the inner exception too: give a cause only when it has a codec.</remarks>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

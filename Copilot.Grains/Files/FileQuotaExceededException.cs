namespace Copilot.Grains.Files;

/// <summary>Storing the file would take its owner past the per-user storage quota; nothing was stored.</summary>
public sealed class FileQuotaExceededException(long quotaBytes)
    : Exception($"Storing this image would exceed the storage quota of {quotaBytes} bytes.")
{
    public long QuotaBytes { get; } = quotaBytes;
}

using Copilot.Grains.Files;

namespace Copilot.Api.Admin;

/// <summary>An image line of a user's export: the stored image itself (base64) and what is known of it.</summary>
internal sealed record class ExportedFile(
    string Type,
    Guid Id,
    string MediaType,
    int Size,
    int Width,
    int Height,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CapturedAt,
    byte[] Data)
{
    public static ExportedFile From(StoredFile file, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new("file", file.Id, file.MediaType, file.Size, file.Width, file.Height, file.CreatedAt, file.CapturedAt, data);
    }
}

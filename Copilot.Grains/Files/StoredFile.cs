namespace Copilot.Grains.Files;

/// <summary>A stored image's description, without its bytes.</summary>
/// <param name="Id">The file id.</param>
/// <param name="OwnerId">The user who uploaded it; nobody else can read it.</param>
/// <param name="MediaType">The stored image's type (<c>image/jpeg</c>, <c>image/png</c>, ...).</param>
/// <param name="Size">Bytes of the stored image.</param>
/// <param name="Width">Pixels, upright.</param>
/// <param name="Height">Pixels, upright.</param>
/// <param name="ContentHash">SHA-256 of the bytes as uploaded (hex): the same upload twice is the same file.</param>
/// <param name="CreatedAt">When it was first stored.</param>
/// <param name="CapturedAt">When the photo was taken, from its EXIF date, if it said.</param>
public sealed record class StoredFile(
    Guid Id,
    Guid OwnerId,
    string MediaType,
    int Size,
    int Width,
    int Height,
    string ContentHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CapturedAt)
{
    /// <summary>The reference a message keeps.</summary>
    public FileRef ToRef(string? filename) =>
        new() { Id = Id, MediaType = MediaType, Width = Width, Height = Height, Filename = filename };
}

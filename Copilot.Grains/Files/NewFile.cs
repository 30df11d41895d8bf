namespace Copilot.Grains.Files;

/// <summary>A processed image to store: upright, stripped of metadata, scaled, re-encoded, with its thumbnail.</summary>
/// <param name="ContentHash">SHA-256 of the bytes as uploaded (hex), the idempotency key per owner.</param>
/// <param name="MediaType">The type of <paramref name="Bytes"/>.</param>
/// <param name="Bytes">The image as stored and served.</param>
/// <param name="Width">Pixels of <paramref name="Bytes"/>.</param>
/// <param name="Height">Pixels of <paramref name="Bytes"/>.</param>
/// <param name="Thumbnail">A small JPEG or PNG of the same image.</param>
/// <param name="ThumbnailMediaType">The type of <paramref name="Thumbnail"/>.</param>
/// <param name="CapturedAt">When the photo was taken, if its EXIF said; never where.</param>
public sealed record class NewFile(
    string ContentHash,
    string MediaType,
    byte[] Bytes,
    int Width,
    int Height,
    byte[] Thumbnail,
    string ThumbnailMediaType,
    DateTimeOffset? CapturedAt);

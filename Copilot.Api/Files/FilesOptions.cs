using System.ComponentModel.DataAnnotations;

namespace Copilot.Api.Files;

/// <summary>Images: limits, processing and signed links, bound from <c>Copilot:Files</c>.</summary>
internal sealed class FilesOptions
{
    public const string SectionName = "Copilot:Files";

    /// <summary>Largest image accepted, in bytes as sent (after base64 decoding for a data URL). Default 10 MB.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Most images in one message. Default 4. Never more than <c>Copilot:Sessions:ContextMaxImages</c> (the
    /// images the model gets in a turn), whatever is set here: the model must get every image of the message it answers.</summary>
    [Range(1, 100)]
    public int MaxImagesPerMessage { get; set; } = 4;

    /// <summary>Most pixels (width × height) an image may declare; checked from its header before any pixel is
    /// decoded, so a small file declaring huge dimensions is refused. Default 40 megapixels.</summary>
    [Range(1, 1_000_000_000)]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Longest side of a stored image, in pixels: larger images are scaled down (what vision models use). Default 2,048.</summary>
    [Range(64, 16_384)]
    public int MaxLongSide { get; set; } = 2048;

    /// <summary>Longest side of a thumbnail, in pixels. Default 256.</summary>
    [Range(16, 1024)]
    public int ThumbnailLongSide { get; set; } = 256;

    /// <summary>JPEG quality of stored photos and thumbnails (1-100). Default 85.</summary>
    [Range(1, 100)]
    public int JpegQuality { get; set; } = 85;

    /// <summary>Bytes of images (stored sizes, thumbnails included) one user may keep. Default 500 MB.</summary>
    [Range(1024, long.MaxValue)]
    public long QuotaBytesPerUser { get; set; } = 500L * 1024 * 1024;

    /// <summary>Largest <c>POST /v1/chat</c> body when its message carries file parts (data URLs), in bytes; a text-only
    /// body keeps <c>Copilot:Api:MaxRequestBodyBytes</c>. Default 25 MB.</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxChatBodyBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>How long a signed file link (<c>/v1/files/{id}?exp=&amp;sig=</c>) works. Default 1 hour.</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The key signing file links (base64, at least 32 bytes). Every silo must have the same. Unset: a key
    /// generated on first run and kept in <see cref="UrlSigningKeyPath"/>, which suits one machine.</summary>
    public string? UrlSigningKey { get; set; }

    /// <summary>Where the generated link key is kept when <see cref="UrlSigningKey"/> is unset. Default <c>.data/file-url-key</c>.</summary>
    public string UrlSigningKeyPath { get; set; } = Path.Combine(".data", "file-url-key");
}

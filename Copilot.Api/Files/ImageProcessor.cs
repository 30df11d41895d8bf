using System.Globalization;
using System.Security.Cryptography;
using Copilot.Api.Errors;
using Copilot.Grains.Files;
using ImageMagick;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Files;

/// <summary>Turns an uploaded image into what is stored: checked, upright, stripped of all metadata, scaled, re-encoded,
/// with a thumbnail. Magick.NET (ImageMagick) does the decoding; nothing here parses pixels by hand.</summary>
/// <remarks>The format is told from the first bytes and then given to ImageMagick explicitly, so only the coders of
/// the five accepted formats ever see a client's bytes (never ImageMagick's script or vector coders).</remarks>
internal sealed class ImageProcessor(IOptions<FilesOptions> options)
{
    /// <summary>What to tell a client with a type the service does not take.</summary>
    public const string AcceptedTypesText = "Send a JPEG, PNG, WebP, GIF or HEIC photo; other files (HEIC that cannot be read, too) can be exported as JPEG first";

    private static readonly (string MediaType, MagickFormat Format)[] Formats =
    [
        ("image/jpeg", MagickFormat.Jpeg),
        ("image/png", MagickFormat.Png),
        ("image/webp", MagickFormat.WebP),
        ("image/gif", MagickFormat.Gif),
        ("image/heic", MagickFormat.Heic),
        ("image/heif", MagickFormat.Heic),
    ];

    /// <summary>The processed image, or the fault to answer. <paramref name="declaredMediaType"/> is what the client
    /// said (a Content-Type, a data URL's type); null or <c>application/octet-stream</c> when it did not say.</summary>
    public (NewFile? File, ApiFault? Fault) Process(ReadOnlySpan<byte> data, string? declaredMediaType)
    {
        var limits = options.Value;
        if (data.Length > limits.MaxImageBytes)
        {
            return (null, ApiErrors.FileTooLarge(limits.MaxImageBytes));
        }

        var declared = NormalizeDeclared(declaredMediaType);
        if (declared is not null && !Formats.Any(f => f.MediaType == declared))
        {
            return (null, ApiErrors.UnsupportedImage($"{declared} is not an image type this service takes. {AcceptedTypesText}."));
        }

        if (Sniff(data) is not { } sniffed)
        {
            return (null, declared is null
                ? ApiErrors.UnsupportedImage($"The file is not an image this service takes. {AcceptedTypesText}.")
                : ApiErrors.InvalidImage($"The bytes are not a {declared} image (or not an image at all)"));
        }

        if (declared is not null && SameFormat(declared) != sniffed.Format)
        {
            return (null, ApiErrors.InvalidImage($"The bytes are a {sniffed.MediaType} image, not {declared} as declared"));
        }

        var settings = new MagickReadSettings { Format = sniffed.Format, FrameIndex = 0, FrameCount = 1 };
        try
        {
            // The header alone: a small file can declare dimensions whose pixels would not fit in memory.
            using var header = new MagickImage();
            header.Ping(data, settings);
            var pixels = (long)header.Width * header.Height;
            if (pixels > limits.MaxPixels)
            {
                return (null, ApiErrors.ImageTooLarge(pixels, limits.MaxPixels));
            }

            return (Decode(data, settings, sniffed.Format), null);
        }
        catch (MagickException)
        {
            return (null, ApiErrors.InvalidImage($"The {sniffed.MediaType} image could not be read: it is truncated or damaged"));
        }
    }

    private NewFile Decode(ReadOnlySpan<byte> data, MagickReadSettings settings, MagickFormat format)
    {
        var limits = options.Value;
        using var image = new MagickImage();
        var damaged = false;
        image.Warning += (_, e) => damaged |= e.Exception is MagickCorruptImageWarningException;
        image.Read(data, settings);
        if (damaged)
        {
            // A truncated JPEG decodes with a grey band where its data stops; storing that would hide the loss.
            throw new MagickCorruptImageErrorException("Premature end of image data.");
        }

        var capturedAt = CaptureTime(image);
        image.AutoOrient();

        // Every profile and property goes: EXIF (GPS position, camera serial, embedded thumbnail), XMP, IPTC, ICC, comments.
        image.Strip();
        if (Math.Max(image.Width, image.Height) > limits.MaxLongSide)
        {
            image.Resize(new MagickGeometry((uint)limits.MaxLongSide, (uint)limits.MaxLongSide));
        }

        // PNG and GIF (drawings, screenshots) and anything with transparency stay lossless; photos become JPEG.
        var lossless = format is MagickFormat.Png or MagickFormat.Gif || image.HasAlpha;
        var (outputFormat, mediaType) = lossless ? (MagickFormat.Png, "image/png") : (MagickFormat.Jpeg, "image/jpeg");
        image.Quality = (uint)limits.JpegQuality;
        var bytes = image.ToByteArray(outputFormat);
        using var thumbnail = image.CloneAndMutate(t => t.Thumbnail(new MagickGeometry((uint)limits.ThumbnailLongSide, (uint)limits.ThumbnailLongSide)));
        thumbnail.Strip();
        return new NewFile(
            Convert.ToHexStringLower(SHA256.HashData(data)),
            mediaType,
            bytes,
            (int)image.Width,
            (int)image.Height,
            thumbnail.ToByteArray(outputFormat),
            mediaType,
            capturedAt);
    }

    /// <summary>When the photo was taken, from EXIF <c>DateTimeOriginal</c> and its offset if given (else read as UTC).</summary>
    private static DateTimeOffset? CaptureTime(IMagickImage image)
    {
        var exif = image.GetExifProfile();
        var taken = exif?.GetValue(ExifTag.DateTimeOriginal)?.Value;
        if (taken is null || !DateTime.TryParseExact(taken, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var offsetText = exif!.GetValue(ExifTag.OffsetTimeOriginal)?.Value;
        var offset = offsetText is not null && TimeSpan.TryParseExact(offsetText.TrimStart('+'), @"hh\:mm", CultureInfo.InvariantCulture, out var parsed)
            ? (offsetText.StartsWith('-') ? -parsed : parsed)
            : TimeSpan.Zero;
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static string? NormalizeDeclared(string? mediaType)
    {
        var type = mediaType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return type switch
        {
            null or "" or "application/octet-stream" => null,
            "image/jpg" or "image/pjpeg" => "image/jpeg",
            "image/heic-sequence" or "image/heif-sequence" => "image/heic",
            _ => type,
        };
    }

    private static MagickFormat SameFormat(string mediaType) => Formats.First(f => f.MediaType == mediaType).Format;

    /// <summary>The format the first bytes announce (their magic numbers), or null for anything else.</summary>
    private static (string MediaType, MagickFormat Format)? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((byte[])[0xFF, 0xD8, 0xFF]))
        {
            return ("image/jpeg", MagickFormat.Jpeg);
        }

        if (data.StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ("image/png", MagickFormat.Png);
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ("image/gif", MagickFormat.Gif);
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return ("image/webp", MagickFormat.WebP);
        }

        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = data[8..12];
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) ||
                brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("heim"u8) || brand.SequenceEqual("heis"u8))
            {
                return ("image/heic", MagickFormat.Heic);
            }
        }

        return null;
    }
}

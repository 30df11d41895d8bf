using ImageMagick;

namespace Copilot.Testing.Images;

/// <summary>Images made by Magick.NET for the tests and the benchmark: plain ones, noisy ones as large as photos, a phone
/// photo with GPS and orientation tags, and a decompression bomb.</summary>
public static class TestImages
{
    /// <summary>A JPEG of one colour.</summary>
    public static byte[] Jpeg(uint width, uint height, string color = "#8a5a44") => Encode(new MagickImage(new MagickColor(color), width, height), MagickFormat.Jpeg);

    /// <summary>A PNG of one colour.</summary>
    public static byte[] Png(uint width, uint height, string color = "#336699") => Encode(new MagickImage(new MagickColor(color), width, height), MagickFormat.Png);

    /// <summary>A JPEG of noise: it compresses badly, like a photo, so a small one is still large.</summary>
    public static byte[] NoisyJpeg(uint width, uint height)
    {
        var image = new MagickImage("plasma:", width, height);
        image.AddNoise(NoiseType.Impulse);
        image.Quality = 98;
        return Encode(image, MagickFormat.Jpeg);
    }

    /// <summary>A JPEG that compresses like a photo (light noise over a plasma) of about <paramref name="targetBytes"/>:
    /// the highest quality, in steps of 5, whose file is no larger.</summary>
    public static byte[] PhotoOfAbout(uint width, uint height, long targetBytes)
    {
        using var image = new MagickImage("plasma:", width, height);
        image.AddNoise(NoiseType.Gaussian, 1.0);
        for (uint quality = 95; ; quality -= 5)
        {
            image.Quality = quality;
            var bytes = image.ToByteArray(MagickFormat.Jpeg);
            if (bytes.Length <= targetBytes || quality <= 20)
            {
                return bytes;
            }
        }
    }

    /// <summary>A landscape JPEG (400×200 as stored) whose EXIF says to show it rotated a quarter turn clockwise (so
    /// upright it is 200×400), with a GPS position, a camera serial number and a capture time.</summary>
    public static byte[] PhonePhoto()
    {
        var image = new MagickImage(new MagickColor("#aa3322"), 400, 200);
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
        exif.SetValue(ExifTag.GPSLatitude, [new Rational(51, 1), new Rational(30, 1), new Rational(1234, 100)]);
        exif.SetValue(ExifTag.GPSLongitudeRef, "W");
        exif.SetValue(ExifTag.GPSLongitude, [new Rational(0, 1), new Rational(7, 1), new Rational(3999, 100)]);
        exif.SetValue(ExifTag.SerialNumber, "SERIAL-0042");
        exif.SetValue(ExifTag.DateTimeOriginal, "2026:11:02 09:15:00");
        exif.SetValue(ExifTag.Orientation, (ushort)6);
        image.SetProfile(exif);
        image.Orientation = Orientation.RightTop;
        return Encode(image, MagickFormat.Jpeg);
    }

    /// <summary>A small JPEG whose header declares 65,488 × 65,488 pixels (4.3 gigapixels): decoding it would need
    /// gigabytes, so it must be refused from the header.</summary>
    public static byte[] Bomb()
    {
        var bytes = Jpeg(64, 64);
        for (var i = 2; i < bytes.Length - 9; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC2)
            {
                // SOF: length (2 bytes), precision (1), height (2), width (2).
                bytes[i + 5] = bytes[i + 7] = 0xFF;
                bytes[i + 6] = bytes[i + 8] = 0xD0;
                return bytes;
            }
        }

        throw new InvalidOperationException("No SOF marker in the JPEG.");
    }

    /// <summary>A data URL of <paramref name="bytes"/>.</summary>
    public static string DataUrl(byte[] bytes, string mediaType) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";

    private static byte[] Encode(MagickImage image, MagickFormat format)
    {
        using (image)
        {
            return image.ToByteArray(format);
        }
    }
}

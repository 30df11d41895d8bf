using System.Security.Cryptography;

namespace Copilot.Api.Shared;

/// <summary>A random key generated on first run and kept in a file readable by its owner only: the development
/// signing key, shared by the silos of one machine (<c>./run.sh --silos N</c>).</summary>
internal static class LocalSecret
{
    /// <summary>Bytes of a key.</summary>
    public const int KeyBytes = 32;

    /// <summary>The key in <paramref name="path"/>, created there when missing.</summary>
    /// <exception cref="InvalidOperationException">The file holds something other than a key (base64 of
    /// <see cref="KeyBytes"/> bytes).</exception>
    public static byte[] LoadOrCreate(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            Create(path);
        }

        var text = File.ReadAllText(path).Trim();
        var key = new byte[KeyBytes];
        return Convert.TryFromBase64String(text, key, out var length) && length == KeyBytes
            ? key
            : throw new InvalidOperationException($"{path} does not hold a key (base64 of {KeyBytes} bytes); delete it to have a new one generated.");
    }

    /// <summary>Writes a new key beside <paramref name="path"/>, owner-only from its creation, and then links it into
    /// place unless a file is there already: silos starting together each write their own, one of them lands, and no
    /// process ever reads a key half written.</summary>
    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var written = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(written, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            // Without overwrite, a move is link() then unlink() on Unix: it fails when the key exists, never replaces it.
            File.Move(written, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process's key landed first; that one is used.
        }
        finally
        {
            File.Delete(written);
        }
    }
}

using System.Security.Cryptography;

namespace Copilot.Api.Shared;

/// <summary>A random key generated on first run and kept in a file readable by its owner only: the embedded
/// default's secrets, shared by the silos of one machine.</summary>
internal static class LocalSecret
{
    /// <summary>The 32-byte key in <paramref name="path"/>, created there when missing.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                // CreateNew: two silos starting together must not overwrite each other's key.
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }
}

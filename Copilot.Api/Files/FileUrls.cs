using System.Security.Cryptography;
using System.Text;
using Copilot.Grains.Sessions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Files;

/// <summary>Signed, expiring links to a file (<c>/v1/files/{id}?exp=&amp;sig=</c>): an <c>&lt;img src&gt;</c> cannot
/// send an Authorization header, so the link itself is the right to read the one file it names, until it expires.</summary>
internal sealed class FileUrls(
    IOptions<FilesOptions> options, FileUrlKey key, [FromKeyedServices(SessionsOptions.ClockKey)] TimeProvider time)
{
    /// <summary>The path files are served under.</summary>
    public const string PathPrefix = "/v1/files/";

    /// <summary>A link to <paramref name="fileId"/> valid for at least the configured lifetime and at most twice it: the
    /// expiry is rounded to whole lifetimes so that the same image keeps one URL (and one browser cache entry) a while.</summary>
    public string Create(Guid fileId)
    {
        var lifetime = (long)options.Value.UrlLifetime.TotalSeconds;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var expires = ((now / lifetime) + 2) * lifetime;
        return $"{PathPrefix}{fileId}?exp={expires}&sig={Sign(fileId, expires)}";
    }

    /// <summary>True when <paramref name="signature"/> is this service's for the file and <paramref name="expires"/>
    /// has not passed.</summary>
    public bool IsValid(Guid fileId, long expires, string? signature) =>
        signature is not null &&
        expires > time.GetUtcNow().ToUnixTimeSeconds() &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(fileId, expires)), Encoding.ASCII.GetBytes(signature));

    /// <summary>The file id of a link to this service's <c>/v1/files/{id}</c>: relative, or absolute on
    /// <paramref name="host"/> (the request's own); false for any other URL. Nothing is ever fetched.</summary>
    public static bool TryReadFileId(string url, string host, out Guid fileId)
    {
        fileId = default;
        if (!Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out var uri))
        {
            return false;
        }

        var path = uri.IsAbsoluteUri
            ? (uri.Scheme is "http" or "https" && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase) ? uri.AbsolutePath : null)
            : url.Split('?', 2)[0];
        return path is not null && path.StartsWith(PathPrefix, StringComparison.Ordinal) &&
            Guid.TryParse(path.AsSpan(PathPrefix.Length), out fileId);
    }

    private string Sign(Guid fileId, long expires) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key.Value, Encoding.ASCII.GetBytes($"{fileId:N}.{expires}")));
}

using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Files;

/// <summary>The key of the signed file links, the same on every silo of a service: <c>Copilot:Files:UrlSigningKey</c>
/// when configured, else the service's stored key (<see cref="IFileUrlKeyStore"/>, created by the first silo).</summary>
/// <remarks>Loaded once while the host starts, before the server takes requests: a key that cannot be had stops the
/// start-up with the reason instead of failing requests, so no request ever waits for it or fails on it.</remarks>
internal sealed class FileUrlKey(IOptions<FilesOptions> options, IServiceProvider services) : IHostedService
{
    /// <summary>Bytes of a generated key (HMAC-SHA256's block is 64; its output, 32, is what a key needs).</summary>
    public const int GeneratedKeyBytes = 32;

    private byte[]? _key;

    /// <summary>The key; set before the host starts serving.</summary>
    public byte[] Value => _key ?? throw new InvalidOperationException("The file link key is read before the host has started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.UrlSigningKey is { Length: > 0 } configured)
        {
            _key = Convert.FromBase64String(configured);
            return;
        }

        var store = services.GetService<IFileUrlKeyStore>() ?? throw new InvalidOperationException(
            "Copilot:Files:UrlSigningKey is not set and the host has no IFileUrlKeyStore to keep a generated one.");
        _key = await store.GetOrAddAsync(RandomNumberGenerator.GetBytes(GeneratedKeyBytes), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

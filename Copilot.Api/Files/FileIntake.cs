using Copilot.Api.Errors;
using Copilot.Grains.Files;
using Microsoft.Extensions.Options;

namespace Copilot.Api.Files;

/// <summary>Processes an image a user sent and stores it once for them: the one path of <c>POST /v1/files</c> and of
/// the data URLs in <c>POST /v1/chat</c>. A refused image stores nothing.</summary>
internal sealed class FileIntake(ImageProcessor processor, IFileStore store, IOptions<FilesOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _decodes = new(options.Value.MaxConcurrentDecodes);

    /// <summary>The stored file (an earlier one when the user sent the same bytes before), or the fault to answer.</summary>
    public async Task<(StoredFile? File, ApiFault? Fault)> AddAsync(
        Guid userId, ReadOnlyMemory<byte> data, string? declaredMediaType, CancellationToken cancellationToken)
    {
        var (processed, fault) = await ProcessAsync(data, declaredMediaType, cancellationToken);
        if (processed is null)
        {
            return (null, fault);
        }

        var (file, refused, _) = await StoreAsync(userId, processed, cancellationToken);
        return (file, refused);
    }

    /// <summary>Checks and processes an image without storing it, so that a message's images are all checked first.</summary>
    /// <remarks>Decoding and re-encoding a photo is a few hundred milliseconds of CPU, so it runs on a thread of its own
    /// rather than on one of the thread pool's workers: the silo's pool starts with one (<c>docs/operations.md</c>), and
    /// every other request and stream of the silo would wait behind the photo. At most
    /// <see cref="FilesOptions.MaxConcurrentDecodes"/> run at once, so that many uploads together cannot exhaust the
    /// silo's memory; the rest wait.</remarks>
    public async Task<(NewFile? File, ApiFault? Fault)> ProcessAsync(
        ReadOnlyMemory<byte> data, string? declaredMediaType, CancellationToken cancellationToken)
    {
        // A client that leaves while its image waits for a decode takes its place out of the queue.
        await _decodes.WaitAsync(cancellationToken);
        try
        {
            return await Task.Factory.StartNew(
                () => processor.Process(data.Span, declaredMediaType),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }
        finally
        {
            _decodes.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _decodes.Dispose();

    /// <summary>Stores a processed image, or finds an earlier one with the same content (<c>Created</c> false), within
    /// the user's quota.</summary>
    public async Task<(StoredFile? File, ApiFault? Fault, bool Created)> StoreAsync(Guid userId, NewFile file, CancellationToken cancellationToken)
    {
        try
        {
            var (stored, created) = await store.AddAsync(userId, file, options.Value.QuotaBytesPerUser, options.Value.UnsentFileLifetime, cancellationToken);
            return (stored, null, created);
        }
        catch (FileQuotaExceededException ex)
        {
            return (null, ApiErrors.StorageQuotaExceeded(ex.QuotaBytes), false);
        }
    }
}

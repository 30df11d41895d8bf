using System.Collections.Concurrent;
using System.Data.Common;
using Copilot.Grains.Files;
using Copilot.Silo.Database;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Fixtures.Postgres;

/// <summary>The silo's real file store, except where the test makes it fail: releasing a session's images, once, for a
/// session the test names (PostgreSQL failing in the middle of a session's deletion), or reading any image's bytes while
/// <see cref="Unreachable"/> (a turn that cannot give the model the question's photo).</summary>
public sealed class FailingFileStore(IFileStore inner) : IFileStore
{
    private readonly ConcurrentDictionary<Guid, bool> _failNextRelease = new();

    /// <summary>Registers a <see cref="FailingFileStore"/> over the real store as the silo's file store (before the
    /// silo's own registration, which only adds one when none is there).</summary>
    public static void Install(IServiceCollection services, Action<FailingFileStore> created) =>
        services.AddSingleton<IFileStore>(provider =>
        {
            var store = new FailingFileStore(ActivatorUtilities.CreateInstance<SqlFileStore>(provider));
            created(store);
            return store;
        });

    /// <summary>While true, <see cref="ReadBytesAsync"/> throws a <see cref="TimeoutException"/>.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Makes the next release of <paramref name="sessionId"/>'s images fail with a storage error.</summary>
    public void FailNextRelease(Guid sessionId) => _failNextRelease[sessionId] = true;

    /// <inheritdoc />
    public Task<int> ReleaseSessionAsync(Guid ownerId, Guid sessionId, CancellationToken cancellationToken = default) =>
        _failNextRelease.TryRemove(sessionId, out _)
            ? throw new StorageBlipException()
            : inner.ReleaseSessionAsync(ownerId, sessionId, cancellationToken);

    /// <inheritdoc />
    public Task<(StoredFile File, bool Created)> AddAsync(
        Guid ownerId, NewFile file, long quotaBytes, TimeSpan unsentLifetime, CancellationToken cancellationToken = default) =>
        inner.AddAsync(ownerId, file, quotaBytes, unsentLifetime, cancellationToken);

    /// <inheritdoc />
    public Task<StoredFile?> FindAsync(Guid ownerId, Guid fileId, CancellationToken cancellationToken = default) =>
        inner.FindAsync(ownerId, fileId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredFile>> ListAsync(Guid ownerId, CancellationToken cancellationToken = default) =>
        inner.ListAsync(ownerId, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> ReadBytesAsync(Guid ownerId, Guid fileId, CancellationToken cancellationToken = default) =>
        Unreachable
            ? throw new TimeoutException("The file store did not answer (injected by the test).")
            : inner.ReadBytesAsync(ownerId, fileId, cancellationToken);

    /// <inheritdoc />
    public Task<bool> OpenAsync(Guid fileId, bool thumbnail, Func<StoredFile, string, Stream, Task> write, CancellationToken cancellationToken = default) =>
        inner.OpenAsync(fileId, thumbnail, write, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> AttachAsync(Guid ownerId, Guid sessionId, IReadOnlyCollection<Guid> fileIds, CancellationToken cancellationToken = default) =>
        inner.AttachAsync(ownerId, sessionId, fileIds, cancellationToken);

    /// <inheritdoc />
    public Task<int> DetachAsync(
        Guid ownerId, Guid sessionId, IReadOnlyCollection<Guid> attached, IReadOnlyCollection<Guid> created, CancellationToken cancellationToken = default) =>
        inner.DetachAsync(ownerId, sessionId, attached, created, cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteOwnerAsync(Guid ownerId, CancellationToken cancellationToken = default) =>
        inner.DeleteOwnerAsync(ownerId, cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteUnsentAsync(TimeSpan unsentLifetime, CancellationToken cancellationToken = default) =>
        inner.DeleteUnsentAsync(unsentLifetime, cancellationToken);

    /// <summary>What Npgsql throws when the connection breaks: a <see cref="DbException"/> with no SQLSTATE.</summary>
    private sealed class StorageBlipException() : DbException("The connection to PostgreSQL broke (injected by the test).");
}

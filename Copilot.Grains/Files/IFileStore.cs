namespace Copilot.Grains.Files;

/// <summary>The images users upload, in <c>copilot_files</c> (a table of their own, written once: bytes never enter
/// grain state or segment rows), and which sessions refer to each.</summary>
/// <remarks>A file lives while a session refers to it; a file no session refers to (uploaded and never sent) lives
/// for the unsent lifetime, until its owner's next <see cref="AddAsync"/> or <see cref="DeleteUnsentAsync"/> deletes
/// it. Every read but <see cref="OpenAsync"/> is scoped to the owner. Everything that adds or deletes an owner's files
/// or references runs one at a time per owner, so a file is never deleted between a send's check of it and its
/// reference.</remarks>
public interface IFileStore
{
    /// <summary>Stores <paramref name="file"/> for <paramref name="ownerId"/>, or returns the file already stored with the
    /// same content hash; <c>Created</c> says which. First deletes the owner's files that no message has referred to for
    /// <paramref name="unsentLifetime"/> (uploaded and never sent), so they do not hold the quota.</summary>
    /// <exception cref="FileQuotaExceededException">The owner's files would exceed <paramref name="quotaBytes"/>.</exception>
    Task<(StoredFile File, bool Created)> AddAsync(
        Guid ownerId, NewFile file, long quotaBytes, TimeSpan unsentLifetime, CancellationToken cancellationToken = default);

    /// <summary>The owner's file, or null (never stored, deleted, or someone else's).</summary>
    Task<StoredFile?> FindAsync(Guid ownerId, Guid fileId, CancellationToken cancellationToken = default);

    /// <summary>Every file of the owner, oldest first.</summary>
    Task<IReadOnlyList<StoredFile>> ListAsync(Guid ownerId, CancellationToken cancellationToken = default);

    /// <summary>The owner's image bytes (not the thumbnail), or null.</summary>
    Task<byte[]?> ReadBytesAsync(Guid ownerId, Guid fileId, CancellationToken cancellationToken = default);

    /// <summary>Streams the file (or its thumbnail) to <paramref name="write"/>, which gets the description first;
    /// false when there is no such file. The caller has checked the right to read it (a signed URL).</summary>
    Task<bool> OpenAsync(
        Guid fileId, bool thumbnail, Func<StoredFile, string, Stream, Task> write, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="sessionId"/> refers to the files, before the message that does is stored,
    /// so that deleting another session never removes them; returns those it did not refer to already. Repeating it is
    /// harmless.</summary>
    /// <exception cref="FileGoneException">One of the files is no longer the owner's; none was attached.</exception>
    Task<IReadOnlyList<Guid>> AttachAsync(Guid ownerId, Guid sessionId, IReadOnlyCollection<Guid> fileIds, CancellationToken cancellationToken = default);

    /// <summary>Undoes what a message that was then refused stored: drops the session's references to
    /// <paramref name="attached"/> (those <see cref="AttachAsync"/> added) and deletes the files of
    /// <paramref name="created"/> (those <see cref="AddAsync"/> created for it) that no session refers to any more;
    /// returns how many files were deleted.</summary>
    Task<int> DetachAsync(
        Guid ownerId, Guid sessionId, IReadOnlyCollection<Guid> attached, IReadOnlyCollection<Guid> created, CancellationToken cancellationToken = default);

    /// <summary>Drops the session's references and deletes those of its files no other session refers to; returns how
    /// many files were deleted. Repeating it is harmless.</summary>
    Task<int> ReleaseSessionAsync(Guid ownerId, Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every file of the owner; returns how many.</summary>
    Task<int> DeleteOwnerAsync(Guid ownerId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every owner's files that no session has referred to for <paramref name="unsentLifetime"/> (what
    /// <see cref="AddAsync"/> deletes for its owner), so that an owner who uploads nothing more does not keep them for
    /// ever; returns how many.</summary>
    Task<int> DeleteUnsentAsync(TimeSpan unsentLifetime, CancellationToken cancellationToken = default);
}

using System.Buffers.Text;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.Shared;
using Copilot.Grains.Files;
using Copilot.Grains.Sessions;
using Microsoft.Extensions.Options;

namespace Copilot.Api.V1.Chat;

/// <summary>Turns a sent message's file parts into stored images: a <c>data:</c> URL is decoded, checked and stored; a
/// link to an uploaded file must name one of the caller's own. Any other URL is refused: the service never fetches one.</summary>
internal sealed class ChatFileResolver(
    FileIntake intake, IFileStore store, IOptions<FilesOptions> options, IOptions<SessionsOptions> sessionsOptions)
{
    private const string DataUrlText = "must be a data: URL (data:image/jpeg;base64,...) or the url POST /v1/files answered; the service never fetches other URLs";

    /// <summary>Most images in one message: the model must get every image of the message it answers, so never more
    /// than it gets in a turn.</summary>
    public int MaxImagesPerMessage => Math.Min(options.Value.MaxImagesPerMessage, sessionsOptions.Value.ContextMaxImages);

    /// <summary>The references the message keeps, in order, and the files stored for it that were not stored before
    /// (for <see cref="IFileStore.DetachAsync"/> if the message is then refused), or the fault to answer. Every image is
    /// checked before any is stored, and what was stored before a later one is refused is deleted again, so a refused
    /// message stores nothing.</summary>
    public async Task<(List<FileRef>? Files, List<Guid> Created, ApiFault? Fault)> ResolveAsync(
        Guid userId, string host, IReadOnlyList<ChatFilePart> parts, CancellationToken cancellationToken)
    {
        if (parts.Count > MaxImagesPerMessage)
        {
            return (null, [], ApiErrors.TooManyFiles(MaxImagesPerMessage));
        }

        var checkedParts = new List<(ChatFilePart Part, NewFile? New, StoredFile? Existing)>();
        foreach (var part in parts)
        {
            var (isDataUrl, processed, refused) = await ProcessDataUrlAsync(part, cancellationToken);
            if (isDataUrl)
            {
                if (processed is null)
                {
                    return (null, [], refused);
                }

                checkedParts.Add((part, processed, null));
            }
            else if (FileUrls.TryReadFileId(part.Url.GetString()!, host, out var fileId))
            {
                if (await store.FindAsync(userId, fileId, cancellationToken) is not { } existing)
                {
                    return (null, [], ApiErrors.FileNotFound);
                }

                checkedParts.Add((part, null, existing));
            }
            else
            {
                return (null, [], ApiErrors.InvalidField(part.Path + ".url", DataUrlText));
            }
        }

        var files = new List<FileRef>();
        var created = new List<Guid>();
        foreach (var (part, processed, existing) in checkedParts)
        {
            var (stored, fault, isNew) = existing is not null ? (existing, null, false) : await intake.StoreAsync(userId, processed!, cancellationToken);
            if (stored is null)
            {
                // Over the quota with a later image: the earlier ones go again.
                await store.DetachAsync(userId, Guid.Empty, [], created, CancellationToken.None);
                return (null, [], fault);
            }

            if (isNew)
            {
                created.Add(stored.Id);
            }

            files.Add(stored.ToRef(part.Filename));
        }

        return (files, created, null);
    }

    /// <summary>For a <c>data:</c> URL, its image checked and processed (or the fault).</summary>
    private async Task<(bool IsDataUrl, NewFile? File, ApiFault? Fault)> ProcessDataUrlAsync(ChatFilePart part, CancellationToken cancellationToken)
    {
        var (isDataUrl, bytes, fault) = ReadDataUrl(part);
        if (!isDataUrl)
        {
            return (false, null, null);
        }

        var (processed, refused) = bytes is { } decoded ? await intake.ProcessAsync(decoded, part.MediaType, cancellationToken) : (null, fault);
        return (true, processed, refused);
    }

    /// <summary>Whether the part's URL is a <c>data:</c> URL, and if so its decoded bytes (or the fault); its UTF-8 is
    /// read in place from the body (or unescaped into a copy), never decoded into a string.</summary>
    private (bool IsDataUrl, ReadOnlyMemory<byte>? Bytes, ApiFault? Fault) ReadDataUrl(ChatFilePart part)
    {
        var raw = JsonBody.Utf8Value(part.Url);
        if (!raw.StartsWith("data:"u8))
        {
            return (false, null, null);
        }

        var (bytes, fault) = DecodeDataUrl(raw, part.Path);
        return (true, bytes, fault);
    }

    private (ReadOnlyMemory<byte>? Bytes, ApiFault? Fault) DecodeDataUrl(ReadOnlySpan<byte> url, string path)
    {
        var comma = url.IndexOf((byte)',');
        if (comma < 0 || !url[..comma].EndsWith(";base64"u8))
        {
            return (null, ApiErrors.InvalidField(path + ".url", "a data: URL must be base64: data:image/jpeg;base64,..."));
        }

        var payload = url[(comma + 1)..];
        var maxBytes = options.Value.MaxImageBytes;
        if ((long)payload.Length / 4 * 3 - 2 > maxBytes)
        {
            return (null, ApiErrors.FileTooLarge(maxBytes));
        }

        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(payload.Length)];
        if (Base64.DecodeFromUtf8(payload, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return (null, ApiErrors.InvalidImage($"The data URL of {path} is not valid base64"));
        }

        return (bytes.AsMemory(0, written), null);
    }
}

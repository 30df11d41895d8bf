using Copilot.Grains.Files;

namespace Copilot.Api.Files;

/// <summary>An uploaded image, as <c>POST /v1/files</c> answers it.</summary>
/// <param name="Id">The file id.</param>
/// <param name="Url">A signed link to the image (works in an <c>&lt;img src&gt;</c>, expires), also what a chat file
/// part's <c>url</c> may name.</param>
/// <param name="MediaType">The stored image's type: <c>image/jpeg</c> for photos, <c>image/png</c> for PNG and GIF.</param>
/// <param name="Size">Bytes of the stored image (after scaling and re-encoding).</param>
/// <param name="Width">Pixels, upright.</param>
/// <param name="Height">Pixels, upright.</param>
internal sealed record class FileUploadResponse(Guid Id, string Url, string MediaType, int Size, int Width, int Height)
{
    public static FileUploadResponse From(StoredFile file, FileUrls urls) =>
        new(file.Id, urls.Create(file.Id), file.MediaType, file.Size, file.Width, file.Height);
}

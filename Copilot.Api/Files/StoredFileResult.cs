using System.Globalization;
using Copilot.Api.Errors;
using Copilot.Grains.Files;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.Files;

/// <summary>A stored image streamed from the database to the response, with headers that let a browser keep it and never
/// read it as anything but the image it is; 404 when it is gone.</summary>
/// <param name="Store">Where the file is.</param>
/// <param name="FileId">The file, whose link was checked.</param>
/// <param name="Thumbnail">Serve the thumbnail instead.</param>
/// <param name="Expires">When the link expires (Unix seconds): no cache keeps it longer.</param>
internal sealed record class StoredFileResult(IFileStore Store, Guid FileId, bool Thumbnail, long Expires) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var found = await Store.OpenAsync(FileId, Thumbnail, async (file, mediaType, bytes) =>
        {
            var etag = $"\"{file.ContentHash[..32]}{(Thumbnail ? "-thumb" : "")}\"";
            var maxAge = Math.Max(0, Expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            response.Headers[HeaderNames.ETag] = etag;
            response.Headers[HeaderNames.CacheControl] = $"private, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}, immutable";
            response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            if (httpContext.Request.Headers.IfNoneMatch.Contains(etag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.ContentType = mediaType;
            if (!Thumbnail)
            {
                response.ContentLength = file.Size;
            }

            await bytes.CopyToAsync(response.Body, httpContext.RequestAborted);
        }, httpContext.RequestAborted);
        if (!found)
        {
            await ApiErrors.FileNotFound.ToProblem().ExecuteAsync(httpContext);
        }
    }
}

using System.Globalization;
using Copilot.Api.Auth;
using Copilot.Api.Errors;
using Copilot.Api.Files;
using Copilot.Api.RateLimiting;
using Copilot.Grains.Files;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Copilot.Api.V1;

/// <summary>The image routes of <c>/v1</c>: upload one, and read one through a signed link.</summary>
internal static class FilesApi
{
    /// <summary>Maps <c>POST /v1/files</c> (authenticated) and <c>GET /v1/files/{id}</c> (a signed link, no token:
    /// an <c>&lt;img src&gt;</c> cannot send one).</summary>
    public static RouteGroupBuilder MapV1Files(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapV1Group("/v1/files", "Files (v1)");
        group.MapPost("", UploadAsync)
            .RequireCopilotWriteLimits()
            // No Accepts metadata: it would make routing answer other content types with a bare 415 instead of the
            // problem that says which types are taken.
            .DisableAntiforgery()
            .WithSummary("Upload one image (the raw body with its Content-Type, or multipart/form-data); the same bytes give the same file");
        group.MapGet("/{id}", ReadAsync)
            .AllowAnonymous()
            .WithSummary("The image (or ?size=thumb its thumbnail) behind a signed link from an upload or the history");
        return group;
    }

    /// <summary>Checks, processes and stores the image; 201 with its id and a signed link.</summary>
    public static async Task<Results<Created<FileUploadResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext httpContext, FileIntake intake, FileUrls urls, IOptions<FilesOptions> options)
    {
        var request = httpContext.Request;
        var maxBytes = options.Value.MaxImageBytes;
        var (data, declared, fault) = request.HasFormContentType
            ? await ReadFormFileAsync(request, maxBytes)
            : await ReadRawAsync(request, maxBytes);
        if (fault is not null)
        {
            return fault.ToProblem();
        }

        var (file, refused) = await intake.AddAsync(httpContext.User.GetUserId(), data, declared, httpContext.RequestAborted);
        if (file is null)
        {
            return refused!.ToProblem();
        }

        var response = FileUploadResponse.From(file, urls);
        return TypedResults.Created(response.Url, response);
    }

    /// <summary>Streams the file when the link's signature holds and has not expired; 404 otherwise, exactly as for a
    /// file that does not exist.</summary>
    public static Results<StoredFileResult, ProblemHttpResult> ReadAsync(
        string id, string? exp, string? sig, string? size, FileUrls urls, IFileStore store)
    {
        if (!Guid.TryParse(id, out var fileId) ||
            !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) ||
            !urls.IsValid(fileId, expires, sig))
        {
            return ApiErrors.FileNotFound.ToProblem();
        }

        return new StoredFileResult(store, fileId, size == "thumb", expires);
    }

    /// <summary>What a form may add to its one file: the boundaries and the part's headers.</summary>
    private const int FormOverheadBytes = 16 * 1024;

    private static async Task<(ReadOnlyMemory<byte> Data, string? Declared, ApiFault? Fault)> ReadRawAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return (default, null, ApiErrors.FileTooLarge(maxBytes));
        }

        var (data, tooLarge) = await ReadBoundedAsync(request.Body, maxBytes, request.ContentLength, request.HttpContext.RequestAborted);
        return tooLarge ? (default, null, ApiErrors.FileTooLarge(maxBytes)) : (data, request.ContentType, null);
    }

    private static async Task<(ReadOnlyMemory<byte> Data, string? Declared, ApiFault? Fault)> ReadFormFileAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes + FormOverheadBytes)
        {
            return (default, null, ApiErrors.FileTooLarge(maxBytes));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException ||
            (ex is IOException and not BadHttpRequestException && !request.HttpContext.RequestAborted.IsCancellationRequested))
        {
            // A form ASP.NET Core cannot read (no boundary, a broken or unfinished part, too many fields) is the sender's
            // mistake. Kestrel's own refusals (a body over its limit: 413, too slow: 408) keep their status, and a client
            // that went away is not answered.
            return (default, null, ApiErrors.InvalidField("file", "must be multipart/form-data with one complete file part"));
        }

        if (form.Files.Count != 1)
        {
            return (default, null, ApiErrors.InvalidField("file", "send exactly one file in the form"));
        }

        var file = form.Files[0];
        if (file.Length > maxBytes)
        {
            return (default, null, ApiErrors.FileTooLarge(maxBytes));
        }

        await using var stream = file.OpenReadStream();
        var (data, _) = await ReadBoundedAsync(stream, maxBytes, file.Length, request.HttpContext.RequestAborted);
        return (data, file.ContentType, null);
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> into one buffer; true when there was more.</summary>
    private static async Task<(ReadOnlyMemory<byte> Data, bool TooLarge)> ReadBoundedAsync(
        Stream stream, int maxBytes, long? expectedLength, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(expectedLength is > 0 and var n && n <= maxBytes ? (int)n : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (default, true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), false);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Copilot.Api.ChatConsole;

/// <summary>The chat console: a single page at <c>/</c> with its scripts and styles under <c>/console/</c>, built on /v1.</summary>
internal static class ConsoleApi
{
    /// <summary>What the console's responses may load and do: only this origin's scripts, styles and API, no inline code,
    /// no plugins, no framing, and HTML reaches the DOM only through the sanitizer's Trusted Types policy.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        + "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
        + "object-src 'none'; require-trusted-types-for 'script'; trusted-types dompurify";

    private const string IndexFile = "index.html";

    /// <summary>The read-only page of a shared conversation; its script reads the token from the address.</summary>
    private const string SharedFile = "shared.html";

    /// <summary>Maps <c>GET /</c>, <c>GET /console/{path}</c> and the read-only page of a share, <c>GET /s/{token}</c>;
    /// all are public (the console signs in by itself; a share needs no sign-in).</summary>
    public static RouteGroupBuilder MapCopilotConsole(this IEndpointRouteBuilder endpoints)
    {
        var files = ConsoleFiles.Load();
        var group = endpoints.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/", (HttpContext context) => Serve(files, IndexFile, context));
        group.MapGet("/console/{**path}", (string? path, HttpContext context) => Serve(files, path ?? "", context));
        group.MapGet("/s/{token}", (HttpContext context) =>
        {
            // Someone's conversation behind an unguessable link: search engines are asked never to index it.
            context.Response.Headers["X-Robots-Tag"] = "noindex";
            return Serve(files, SharedFile, context);
        });
        return group;
    }

    /// <summary>One file with the console's security headers; conditional requests with its ETag get 304.</summary>
    private static Results<FileContentHttpResult, NotFound> Serve(ConsoleFiles files, string path, HttpContext context)
    {
        if (files.Find(path) is not { } file)
        {
            return TypedResults.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers[HeaderNames.CacheControl] = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
        return TypedResults.Bytes(file.Contents, file.ContentType, entityTag: file.ETag);
    }
}

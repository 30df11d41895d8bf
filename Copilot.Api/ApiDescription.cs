using Microsoft.AspNetCore.OpenApi;

namespace Copilot.Api;

/// <summary>What the OpenAPI document says about the service as a whole.</summary>
internal static class ApiDescription
{
    /// <summary>Sets the document's title and description, and leaves its servers relative.</summary>
    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Copilot session service";
            document.Info.Version = "v1";
            document.Info.Description =
                "Two surfaces over the same conversations. `/api/copilot` is compatible with the original chat panel " +
                "(plain-text stream, `{error}` bodies). `/v1` is for front ends built on the Vercel AI SDK (`useChat` " +
                "with `DefaultChatTransport`): the UI message stream protocol v1, sessions with keyset paging, and " +
                "RFC 9457 problem details with a stable `code`. Every call needs `Authorization: Bearer <jwt>`.";

            // The framework would name the server the request's Host header: any caller could make the document
            // point clients elsewhere. No servers entry means relative to the document's own address.
            document.Servers?.Clear();
            return Task.CompletedTask;
        });
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.Requests;

/// <summary>Reads a request body as JSON by hand, within a size limit, so that each surface can answer a fault in its
/// own error format instead of a framework binding error.</summary>
public static class JsonBody
{
    /// <summary>The parsed body (the caller disposes it), or why there is none.</summary>
    public static async Task<(JsonDocument? Document, JsonBodyFault Fault)> ReadAsync(
        HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, JsonBodyFault.TooLarge);
        }

        var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > maxBodyBytes)
            {
                return (null, JsonBodyFault.TooLarge);
            }

            body.Write(buffer, 0, read);
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            EnsureReadable(document.RootElement);
            return (document, JsonBodyFault.None);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            document?.Dispose();
            return (null, JsonBodyFault.Malformed);
        }
    }

    /// <summary>Reads every string and property name once: the parser checks a string's UTF-8 (and its escapes'
    /// UTF-16) only when the string is read, so invalid text would otherwise surface later, in a handler, as a fault.</summary>
    private static void EnsureReadable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    EnsureReadable(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    EnsureReadable(property.Value);
                }

                break;
        }
    }
}

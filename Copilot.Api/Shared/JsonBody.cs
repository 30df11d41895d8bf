using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.Shared;

/// <summary>Reads a request body as JSON by hand, within a size limit, so that each surface can answer a fault in its
/// own error format instead of a framework binding error.</summary>
internal static class JsonBody
{
    private const int InitialBufferBytes = 4 * 1024;

    /// <summary>The parsed body (the caller disposes it), or why there is none.</summary>
    public static async Task<(JsonDocument? Document, JsonBodyFault Fault)> ReadAsync(
        HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, JsonBodyFault.TooLarge);
        }

        // The body is read into a pooled buffer and parsed from there into a document that owns a pooled copy, so a
        // request allocates no buffer of its own (it was the silo's largest allocation per turn).
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBodyBytes)
                {
                    return (null, JsonBodyFault.TooLarge);
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One JSON value and nothing after it but whitespace, as <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
    /// accepts, into a document independent of <paramref name="utf8"/>.</summary>
    private static (JsonDocument? Document, JsonBodyFault Fault) Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument? document = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, isFinalBlock: true, state: default);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                return (null, JsonBodyFault.Malformed);
            }

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

using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
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
        var (document, fault, _) = await ReadMeasuredAsync(request, maxBodyBytes, cancellationToken);
        return (document, fault);
    }

    /// <summary>As <see cref="ReadAsync"/>, with the body's length in bytes.</summary>
    public static async Task<(JsonDocument? Document, JsonBodyFault Fault, int Length)> ReadMeasuredAsync(
        HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, JsonBodyFault.TooLarge, 0);
        }

        // The body is read into a pooled buffer and parsed from there into a document that owns a pooled copy, so a
        // request allocates no buffer of its own (it was the silo's largest allocation per turn). A body whose length
        // is declared (a photo's data URL makes it megabytes) gets a buffer of that size at once, not a series of copies.
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared and > InitialBufferBytes ? (int)declared + 1 : InitialBufferBytes);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBodyBytes)
                {
                    return (null, JsonBodyFault.TooLarge, length);
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            var (document, fault) = Parse(buffer.AsSpan(0, length));
            return (document, fault, length);
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

    /// <summary>A string element's text as UTF-8, unescaped, without a .NET string: its bytes in the document when it has
    /// no escapes, else an unescaped copy (a .NET client's serializer writes a data URL's <c>+</c> as <c>\u002B</c>).</summary>
    /// <exception cref="InvalidOperationException">The text is not valid UTF-8, or an escape is not valid UTF-16.</exception>
    public static ReadOnlySpan<byte> Utf8Value(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var text = raw[1..^1];
        if (text.Contains((byte)'\\'))
        {
            var reader = new Utf8JsonReader(raw);
            reader.Read();
            var unescaped = new byte[text.Length];
            text = unescaped.AsSpan(0, reader.CopyString(unescaped));
        }

        return Utf8.IsValid(text) ? text : throw new InvalidOperationException("A string of the body is not valid UTF-8.");
    }

    /// <summary>Checks every string and property name once: the parser checks a string's UTF-8 (and its escapes'
    /// UTF-16) only when the string is read, so invalid text would otherwise surface later, in a handler, as a fault.</summary>
    /// <remarks>Strings are checked as UTF-8 (<see cref="Utf8Value"/>), never decoded into .NET strings: a photo's data
    /// URL is megabytes, and decoding it cost as much CPU as parsing the whole body and a large-object-heap string.</remarks>
    private static void EnsureReadable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = Utf8Value(element);
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

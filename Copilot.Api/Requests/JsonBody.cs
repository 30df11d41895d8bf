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

        try
        {
            return (JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length)), JsonBodyFault.None);
        }
        catch (JsonException)
        {
            return (null, JsonBodyFault.Malformed);
        }
    }
}

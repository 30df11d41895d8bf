using System.Text.Json;
using Copilot.Api.Errors;
using Copilot.Grains.Personas;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.Requests;

/// <summary>Reads and validates a send body by hand, so that every fault gets its own clear 400 instead of a
/// framework binding error, and nothing is stored for a bad request.</summary>
public static class ChatRequestReader
{
    /// <summary>The request, or the error answer to send instead.</summary>
    public static async Task<(ChatRequest? Request, IResult? Error)> ReadAsync(
        HttpRequest request, int maxBodyBytes, int maxMessageChars, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, ApiErrors.TooLarge(maxBodyBytes));
        }

        var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > maxBodyBytes)
            {
                return (null, ApiErrors.TooLarge(maxBodyBytes));
            }

            body.Write(buffer, 0, read);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        }
        catch (JsonException)
        {
            return (null, ApiErrors.BadRequest("Request body must be a JSON object: {\"message\": \"...\", \"sessionId\": \"<uuid>\", \"role\": \"field|pm|exec\"}"));
        }

        using (document)
        {
            try
            {
                return Validate(document.RootElement, maxMessageChars);
            }
            catch (InvalidOperationException)
            {
                // The parser checks a string's UTF-8 (and its escapes' UTF-16) only when the string is read.
                return (null, ApiErrors.BadRequest("Request body must be JSON in valid UTF-8, without lone surrogate escapes"));
            }
        }
    }

    private static (ChatRequest? Request, IResult? Error) Validate(JsonElement root, int maxMessageChars)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiErrors.BadRequest("Request body must be a JSON object"));
        }

        if (!root.TryGetProperty("message", out var messageElement) || messageElement.ValueKind == JsonValueKind.Null)
        {
            return (null, ApiErrors.BadRequest("Message is required"));
        }

        if (messageElement.ValueKind != JsonValueKind.String)
        {
            return (null, ApiErrors.BadRequest("Message must be a string"));
        }

        var message = messageElement.GetString()!;
        if (string.IsNullOrWhiteSpace(message))
        {
            return (null, ApiErrors.BadRequest("Message is required"));
        }

        if (message.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL's jsonb cannot hold U+0000: one such message would break the views and the sweep for everyone.
            return (null, ApiErrors.BadRequest("Message must not contain NUL characters (U+0000)"));
        }

        if (message.Length > maxMessageChars)
        {
            return (null, ApiErrors.BadRequest($"Message is too long: {message.Length} characters, the limit is {maxMessageChars}"));
        }

        Guid? sessionId = null;
        if (root.TryGetProperty("sessionId", out var sessionElement) && sessionElement.ValueKind != JsonValueKind.Null)
        {
            if (sessionElement.ValueKind != JsonValueKind.String || !Guid.TryParse(sessionElement.GetString(), out var parsed))
            {
                return (null, ApiErrors.BadRequest("sessionId must be a UUID"));
            }

            sessionId = parsed;
        }

        PersonaRole? role = null;
        if (root.TryGetProperty("role", out var roleElement) && roleElement.ValueKind != JsonValueKind.Null)
        {
            if (roleElement.ValueKind != JsonValueKind.String || !Personas.TryParse(roleElement.GetString(), out role))
            {
                return (null, ApiErrors.BadRequest($"role must be one of {string.Join(", ", Personas.WireNames)}"));
            }
        }

        return (new ChatRequest(message, sessionId, role), null);
    }
}

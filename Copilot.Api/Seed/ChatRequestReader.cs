using System.Text.Json;
using Copilot.Api.Errors;
using Copilot.Api.Shared;
using Copilot.Grains;
using Copilot.Grains.Personas;
using Microsoft.AspNetCore.Http;

namespace Copilot.Api.Seed;

/// <summary>Reads and validates a send body by hand, so that every fault gets its own clear 400 instead of a
/// framework binding error, and nothing is stored for a bad request.</summary>
internal static class ChatRequestReader
{
    /// <summary>The request, or the error answer to send instead.</summary>
    public static async Task<(ChatRequest? Request, IResult? Error)> ReadAsync(
        HttpRequest request, int maxBodyBytes, int maxMessageChars, CancellationToken cancellationToken)
    {
        var (document, fault) = await JsonBody.ReadAsync(request, maxBodyBytes, cancellationToken);
        if (fault == JsonBodyFault.TooLarge)
        {
            return (null, ApiErrors.TooLarge(maxBodyBytes).ToSeed());
        }

        if (document is null)
        {
            return (null, ApiErrors.BadRequest("Request body must be a JSON object in valid UTF-8: {\"message\": \"...\", \"sessionId\": \"<uuid>\", \"role\": \"field|pm|exec\"}").ToSeed());
        }

        using (document)
        {
            return Validate(document.RootElement, maxMessageChars);
        }
    }

    private static (ChatRequest? Request, IResult? Error) Validate(JsonElement root, int maxMessageChars)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ApiErrors.BadRequest("Request body must be a JSON object").ToSeed());
        }

        if (!root.TryGetProperty("message", out var messageElement) || messageElement.ValueKind == JsonValueKind.Null)
        {
            return (null, ApiErrors.BadRequest("Message is required").ToSeed());
        }

        if (messageElement.ValueKind != JsonValueKind.String)
        {
            return (null, ApiErrors.BadRequest("Message must be a string").ToSeed());
        }

        var message = messageElement.GetString()!;
        if (string.IsNullOrWhiteSpace(message))
        {
            return (null, ApiErrors.BadRequest("Message is required").ToSeed());
        }

        if (!StoredText.IsStorable(message))
        {
            return (null, ApiErrors.BadRequest("Message must not contain NUL characters (U+0000)").ToSeed());
        }

        if (message.Length > maxMessageChars)
        {
            return (null, ApiErrors.BadRequest($"Message is too long: {message.Length} characters, the limit is {maxMessageChars}").ToSeed());
        }

        Guid? sessionId = null;
        if (root.TryGetProperty("sessionId", out var sessionElement) && sessionElement.ValueKind != JsonValueKind.Null)
        {
            if (sessionElement.ValueKind != JsonValueKind.String || !Guid.TryParse(sessionElement.GetString(), out var parsed))
            {
                return (null, ApiErrors.BadRequest("sessionId must be a UUID").ToSeed());
            }

            sessionId = parsed;
        }

        PersonaRole? role = null;
        if (root.TryGetProperty("role", out var roleElement) && roleElement.ValueKind != JsonValueKind.Null)
        {
            if (roleElement.ValueKind != JsonValueKind.String || !Personas.TryParse(roleElement.GetString(), out role))
            {
                return (null, ApiErrors.BadRequest($"role must be one of {string.Join(", ", Personas.WireNames)}").ToSeed());
            }
        }

        return (new ChatRequest(message, sessionId, role), null);
    }
}

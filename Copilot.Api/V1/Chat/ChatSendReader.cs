using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.Personas;

namespace Copilot.Api.V1.Chat;

/// <summary>Validates a <c>POST /v1/chat</c> body as the AI SDK's <c>DefaultChatTransport</c> sends it
/// (<c>{id, messages, trigger, messageId?}</c>) or in the compact form <c>{id, message}</c>, naming every bad field.</summary>
internal static class ChatSendReader
{
    public const int MaxMessageIdChars = 200;

    /// <summary>Longest file name kept with an image.</summary>
    public const int MaxFilenameChars = 255;

    /// <summary>The trigger that asks for a new reply to the last user message.</summary>
    public const string RegenerateTrigger = "regenerate-message";

    public static IReadOnlyList<string> Triggers { get; } = ["submit-message", RegenerateTrigger];

    private const string PartShape = "must be a part: {\"type\": \"text\", \"text\": \"...\"} or {\"type\": \"file\", \"mediaType\", \"url\"}";

    /// <summary>The send, or the bad fields (JSON paths) with what is wrong with each.</summary>
    public static (ChatSend? Send, Dictionary<string, string[]> Errors) Read(JsonElement root, int maxMessageChars)
    {
        var errors = new Dictionary<string, string[]>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object: {\"id\": \"<uuid>\", \"messages\": [...]} or {\"id\": \"<uuid>\", \"message\": {...}}"];
            return (null, errors);
        }

        Guid chatId = default;
        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !Guid.TryParse(id.GetString(), out chatId))
        {
            errors["id"] = ["must be the chat id, a UUID"];
        }

        var (message, path, after) = FindUserMessage(root, errors);
        var (messageId, text, files) = message is { } m ? ReadMessage(m, path, maxMessageChars, errors) : (null, null, []);

        if (root.TryGetProperty("trigger", out var trigger) && trigger.ValueKind != JsonValueKind.Null &&
            (trigger.ValueKind != JsonValueKind.String || !Triggers.Contains(trigger.GetString())))
        {
            errors["trigger"] = [$"must be one of {string.Join(", ", Triggers)}"];
        }

        if (root.TryGetProperty("messageId", out var targetId) && targetId.ValueKind is not (JsonValueKind.Null or JsonValueKind.String))
        {
            errors["messageId"] = ["must be a string"];
        }

        PersonaRole? persona = null;
        if (root.TryGetProperty("persona", out var personaElement) && personaElement.ValueKind != JsonValueKind.Null &&
            (personaElement.ValueKind != JsonValueKind.String || !Personas.TryParse(personaElement.GetString(), out persona)))
        {
            errors["persona"] = [$"must be one of {string.Join(", ", Personas.WireNames)}"];
        }

        var regenerate = trigger.ValueKind == JsonValueKind.String && trigger.GetString() == RegenerateTrigger;
        return errors.Count > 0 ? (null, errors) : (new ChatSend(chatId, messageId!, text!, persona, files, regenerate, after), errors);
    }

    /// <summary>The compact form's <c>message</c>, or the last user message of <c>messages</c>, with its JSON path and
    /// the id of the message before it (null when there is none).</summary>
    private static (JsonElement? Message, string Path, string? After) FindUserMessage(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (root.TryGetProperty("message", out var single) && single.ValueKind != JsonValueKind.Null)
        {
            return (single, "message", null);
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            errors["messages"] = ["is required: the chat's messages (an array), or the last user message as \"message\""];
            return (null, "messages", null);
        }

        for (var i = messages.GetArrayLength() - 1; i >= 0; i--)
        {
            var candidate = messages[i];
            if (candidate.ValueKind == JsonValueKind.Object && candidate.TryGetProperty("role", out var role) &&
                role.ValueKind == JsonValueKind.String && role.GetString() == "user")
            {
                return (candidate, $"messages[{i}]", i > 0 ? IdOf(messages[i - 1]) : null);
            }
        }

        errors["messages"] = ["must contain a user message"];
        return (null, "messages", null);
    }

    private static string? IdOf(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String &&
        id.GetString() is { Length: > 0 and <= MaxMessageIdChars } value
            ? value
            : null;

    private static (string? Id, string? Text, List<ChatFilePart> Files) ReadMessage(
        JsonElement message, string path, int maxMessageChars, Dictionary<string, string[]> errors)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            errors[path] = ["must be a UI message: {\"id\", \"role\": \"user\", \"parts\": [{\"type\": \"text\", \"text\"}]}"];
            return (null, null, []);
        }

        string? id = null;
        if (!message.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String ||
            string.IsNullOrWhiteSpace(id = idElement.GetString()) || id.Length > MaxMessageIdChars)
        {
            errors[path + ".id"] = [$"is required: the message id (1 to {MaxMessageIdChars} characters), which makes retries safe"];
        }
        else if (!StoredText.IsStorable(id))
        {
            errors[path + ".id"] = ["must not contain NUL characters (U+0000)"];
        }

        if (message.TryGetProperty("role", out var role) && (role.ValueKind != JsonValueKind.String || role.GetString() != "user"))
        {
            errors[path + ".role"] = ["must be \"user\""];
        }

        if (!message.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
        {
            errors[path + ".parts"] = ["is required: an array of parts, e.g. [{\"type\": \"text\", \"text\": \"...\"}]"];
            return (id, null, []);
        }

        var texts = new List<string>();
        var files = new List<ChatFilePart>();
        var index = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var partPath = $"{path}.parts[{index++}]";
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                errors[partPath] = [PartShape];
                continue;
            }

            switch (type.GetString())
            {
                case "text" when part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String:
                    texts.Add(text.GetString()!);
                    break;
                case "text":
                    errors[partPath + ".text"] = ["is required: the text (a string)"];
                    break;
                case "file":
                    if (ReadFilePart(part, partPath, errors) is { } file)
                    {
                        files.Add(file);
                    }

                    break;
                default:
                    // Never dropped unread: a part this service cannot give the model is refused.
                    errors[partPath + ".type"] = [$"must be \"text\" or \"file\": this service reads no other part of a user message"];
                    break;
            }
        }

        var joined = string.Join("\n", texts);
        if (string.IsNullOrWhiteSpace(joined) && files.Count == 0)
        {
            errors[path + ".parts"] = ["must contain text: a part {\"type\": \"text\", \"text\": \"...\"} that is not blank (or an image)"];
        }
        else if (!StoredText.IsStorable(joined))
        {
            errors[path + ".parts"] = ["text must not contain NUL characters (U+0000)"];
        }
        else if (joined.Length > maxMessageChars)
        {
            errors[path + ".parts"] = [$"text is too long: {joined.Length} characters, the limit is {maxMessageChars}"];
        }

        return (id, joined, files);
    }

    /// <summary>An AI SDK file part, <c>{type: "file", mediaType, filename?, url}</c>, or null with its errors.</summary>
    private static ChatFilePart? ReadFilePart(JsonElement part, string path, Dictionary<string, string[]> errors)
    {
        if (!part.TryGetProperty("mediaType", out var mediaType) || mediaType.ValueKind != JsonValueKind.String)
        {
            errors[path + ".mediaType"] = ["is required: the file's type, e.g. image/jpeg"];
        }

        if (!part.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            errors[path + ".url"] = ["is required: a data: URL, or the url POST /v1/files answered"];
        }

        string? filename = null;
        if (part.TryGetProperty("filename", out var name) && name.ValueKind != JsonValueKind.Null &&
            (name.ValueKind != JsonValueKind.String || (filename = name.GetString())!.Length > MaxFilenameChars || !StoredText.IsStorable(filename)))
        {
            errors[path + ".filename"] = [$"must be a string of at most {MaxFilenameChars} characters, without NUL"];
        }

        return errors.Keys.Any(k => k.StartsWith(path, StringComparison.Ordinal))
            ? null
            : new ChatFilePart(path, mediaType.GetString()!, filename, url);
    }
}

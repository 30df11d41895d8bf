using Copilot.Grains.Files;
using Copilot.Grains.Personas;
using Microsoft.Extensions.AI;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>The model input of a turn: the persona's prompt, then the newest history that fits the budget, oldest first.</summary>
internal static class ContextWindow
{
    /// <summary>Property of an image's <see cref="DataContent"/> holding its width in pixels.</summary>
    public const string WidthProperty = "width";

    /// <summary>Property of an image's <see cref="DataContent"/> holding its height in pixels.</summary>
    public const string HeightProperty = "height";

    /// <summary>Builds the input from the session's messages, newest first.</summary>
    /// <remarks>The new user message is already the newest stored message, so it is included exactly once; the newest
    /// message is always included, even when it alone exceeds the budget. The newest <paramref name="maxImages"/>
    /// images of the messages in the window go with their message, as image content loaded by <paramref name="loadImage"/>.</remarks>
    public static async Task<List<ChatMessage>> BuildAsync(
        PersonaRole role,
        IAsyncEnumerable<SessionMessage> newestFirst,
        int maxMessages,
        int budgetChars,
        int maxImages = 0,
        Func<FileRef, Task<byte[]?>>? loadImage = null)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var history = new List<ChatMessage>();
        var images = 0;
        var chars = 0;
        await foreach (var message in newestFirst)
        {
            if (message.Role == MessageRole.System || (message.Content.Length == 0 && message.Files is null))
            {
                continue;
            }

            if (history.Count > 0 && (history.Count >= maxMessages || chars + message.Content.Length > budgetChars))
            {
                break;
            }

            chars += message.Content.Length;
            var chatMessage = new ChatMessage(message.Role == MessageRole.User ? ChatRole.User : ChatRole.Assistant, message.Content);
            foreach (var file in message.Files ?? [])
            {
                if (images < maxImages && loadImage is not null && await loadImage(file) is { } bytes)
                {
                    chatMessage.Contents.Add(ToContent(file, bytes));
                    images++;
                }
            }

            history.Add(chatMessage);
        }

        history.Add(new ChatMessage(ChatRole.System, Personas.Personas.SystemPrompt(role)));
        history.Reverse();
        return history;
    }

    /// <summary>An image as the model gets it: the OpenAI provider sends it as an <c>image_url</c> part with a data URL.</summary>
    private static DataContent ToContent(FileRef file, byte[] bytes) => new(bytes, file.MediaType)
    {
        Name = file.Filename,
        AdditionalProperties = new() { [WidthProperty] = file.Width, [HeightProperty] = file.Height },
    };
}

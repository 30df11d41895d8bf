using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Copilot.Silo.ChatModel;

/// <summary>The body of a streamed chat-completions request, written byte for byte as the OpenAI SDK writes it when
/// Microsoft.Extensions.AI's adapter converts the same messages and options.</summary>
/// <remarks>Only what the session grains send is supported: system, user and assistant messages of text and images,
/// a model, a temperature and a token limit. Anything else throws <see cref="NotSupportedException"/> rather than
/// being left out of the request unnoticed.</remarks>
internal static class ChatCompletionRequest
{
    // The SDK writes with relaxed escaping: '+' of base64 and non-ASCII text go out unescaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The request for <paramref name="messages"/>; <paramref name="defaultModel"/> when the options name none.</summary>
    public static BinaryData Write(IEnumerable<ChatMessage> messages, ChatOptions? options, string defaultModel)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options is not null)
        {
            ThrowIfUnsupported(options);
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            // The order of the SDK's serializer; a model named in the options is patched in last.
            writer.WriteStartObject();
            if (options?.Temperature is { } temperature)
            {
                writer.WriteNumber("temperature"u8, temperature);
            }

            writer.WritePropertyName("messages"u8);
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                WriteMessage(writer, message);
            }

            writer.WriteEndArray();
            if (options?.ModelId is null)
            {
                writer.WriteString("model"u8, defaultModel);
            }

            if (options?.MaxOutputTokens is { } maxOutputTokens)
            {
                writer.WriteNumber("max_completion_tokens"u8, maxOutputTokens);
            }

            writer.WriteBoolean("stream"u8, true);
            writer.WritePropertyName("stream_options"u8);
            writer.WriteStartObject();
            writer.WriteBoolean("include_usage"u8, true);
            writer.WriteEndObject();
            if (options?.ModelId is { } model)
            {
                writer.WriteString("model"u8, model);
            }

            writer.WriteEndObject();
        }

        return new BinaryData(buffer.WrittenMemory);
    }

    private static void WriteMessage(Utf8JsonWriter writer, ChatMessage message)
    {
        if (message.Role != ChatRole.System && message.Role != ChatRole.User && message.Role != ChatRole.Assistant)
        {
            throw new NotSupportedException($"Messages of role '{message.Role}' are not supported.");
        }

        if (message.AuthorName is not null || message.RawRepresentation is not null)
        {
            throw new NotSupportedException("Messages with an author name or a raw representation are not supported.");
        }

        writer.WriteStartObject();
        writer.WriteString("role"u8, message.Role.Value);
        writer.WritePropertyName("content"u8);
        var contents = message.Contents;
        if (contents.Count == 0)
        {
            writer.WriteStringValue(""u8);
        }
        else if (contents is [TextContent text])
        {
            writer.WriteStringValue(text.Text);
        }
        else
        {
            writer.WriteStartArray();
            foreach (var content in contents)
            {
                WritePart(writer, content);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter writer, AIContent content)
    {
        writer.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                writer.WriteString("type"u8, "text"u8);
                writer.WriteString("text"u8, text.Text);
                break;
            case DataContent image when image.HasTopLevelMediaType("image") && image.AdditionalProperties?.ContainsKey("detail") is not true:
                writer.WriteString("type"u8, "image_url"u8);
                writer.WritePropertyName("image_url"u8);
                writer.WriteStartObject();
                writer.WriteString("url"u8, image.Uri);
                writer.WriteEndObject();
                break;
            default:
                throw new NotSupportedException($"Message content of type {content.GetType().Name} is not supported.");
        }

        writer.WriteEndObject();
    }

    private static void ThrowIfUnsupported(ChatOptions options)
    {
        if (options.Instructions is not null || options.FrequencyPenalty is not null || options.PresencePenalty is not null ||
            options.TopP is not null || options.Seed is not null || options.Reasoning is not null ||
            options.StopSequences is { Count: > 0 } || options.Tools is { Count: > 0 } || options.ResponseFormat is not null ||
            options.RawRepresentationFactory is not null)
        {
            throw new NotSupportedException("Only the model, the temperature and the output token limit are supported as chat options.");
        }
    }
}

using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Microsoft.Extensions.AI;

namespace Copilot.Silo.ChatModel;

/// <summary>Reads the events of one streamed chat completion into <see cref="ChatResponseUpdate"/>s, one per event
/// that carries text, a finish reason or usage, with nothing else allocated per event but the text.</summary>
/// <remarks>The response id, model, creation time and role come once and are kept for every later update, and so is
/// the finish reason once it has come, as Microsoft.Extensions.AI's OpenAI adapter does. An <c>error</c> event, or an
/// event that cannot be read, fails the stream with <see cref="ErrorCodes.ModelError"/>.</remarks>
internal sealed class ChatCompletionChunkReader
{
    private string? _responseId;
    private string? _modelId;
    private DateTimeOffset? _createdAt;
    private ChatRole? _role;
    private ChatFinishReason? _finishReason;

    /// <summary>True once the <c>[DONE]</c> event has been read.</summary>
    public bool Done { get; private set; }

    /// <summary>The update an event's <paramref name="data"/> makes; null when it has nothing to say.</summary>
    /// <remarks>The shape of <see cref="System.Net.ServerSentEvents.SseItemParser{T}"/>.</remarks>
    public ChatResponseUpdate? Read(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            Done = true;
            return null;
        }

        try
        {
            return ReadChunk(data);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a value of the wrong kind, or text escaping an unpaired surrogate.
            throw new ChatModelException(ErrorCodes.ModelError, "The chat model sent an event that could not be read.", ex);
        }
    }

    private ChatResponseUpdate? ReadChunk(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        Expect(ref reader, JsonTokenType.StartObject);
        string? text = null;
        UsageDetails? usage = null;
        var finished = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                finished |= ReadChoices(ref reader, ref text);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                _responseId ??= reader.GetString();
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                _modelId ??= reader.GetString();
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                reader.Read();
                _createdAt ??= DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64());
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                usage = reader.TokenType == JsonTokenType.Null ? usage : ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw new ChatModelException(ErrorCodes.ModelError, "The chat model sent an error event in its stream.");
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Anything but white space after the object throws here.
        _ = reader.Read();

        if (string.IsNullOrEmpty(text) && !finished && usage is null)
        {
            return null;
        }

        var update = new ChatResponseUpdate
        {
            ResponseId = _responseId,
            MessageId = _responseId,
            CreatedAt = _createdAt,
            ModelId = _modelId,
            Role = _role,
            FinishReason = _finishReason,
        };
        if (!string.IsNullOrEmpty(text))
        {
            update.Contents.Add(new TextContent(text));
        }

        if (usage is not null)
        {
            update.Contents.Add(new UsageContent(usage));
        }

        return update;
    }

    /// <summary>Reads <c>choices</c>, appending their text to <paramref name="text"/>; true when one has a finish reason.</summary>
    private bool ReadChoices(ref Utf8JsonReader reader, ref string? text)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        Expect(ref reader, JsonTokenType.StartArray, read: false);
        var finished = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, read: false);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    ReadDelta(ref reader, ref text);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        _finishReason ??= ReadFinishReason(ref reader);
                        finished = true;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return finished;
    }

    private void ReadDelta(ref Utf8JsonReader reader, ref string? text)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartObject, read: false);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    var content = reader.GetString();
                    text = text is null ? content : text + content;
                }
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                if (_role is null && reader.TokenType != JsonTokenType.Null)
                {
                    _role = reader.ValueTextEquals("assistant"u8) ? ChatRole.Assistant : new ChatRole(reader.GetString()!);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static ChatFinishReason ReadFinishReason(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("stop"u8) ? ChatFinishReason.Stop :
        reader.ValueTextEquals("length"u8) ? ChatFinishReason.Length :
        reader.ValueTextEquals("content_filter"u8) ? ChatFinishReason.ContentFilter :
        reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8) ? ChatFinishReason.ToolCalls :
        new ChatFinishReason(reader.GetString()!);

    private static UsageDetails ReadUsage(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, read: false);
        var usage = new UsageDetails();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                usage.InputTokenCount = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                usage.OutputTokenCount = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                reader.Read();
                usage.TotalTokenCount = reader.GetInt64();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return usage;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, bool read = true)
    {
        if ((read && !reader.Read()) || reader.TokenType != token)
        {
            throw new JsonException($"Expected {token}, found {reader.TokenType}.");
        }
    }
}

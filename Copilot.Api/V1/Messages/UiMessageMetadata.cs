using System.Text.Json.Serialization;
using Copilot.Api.Shared;
using Copilot.Api.V1.Feedback;
using Copilot.Grains.Sessions;

namespace Copilot.Api.V1.Messages;

/// <summary>A message's metadata, the same whether it arrives in a stream's <c>finish</c> chunk or from the messages
/// list. Fields that are not known are omitted.</summary>
internal sealed record class UiMessageMetadata
{
    /// <summary>Position in the session: 0, 1, 2, ...; absent only for a reply that could not be stored.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Seq { get; init; }

    /// <summary><c>complete</c>, <c>stopped</c>, <c>failed</c> or <c>interrupted</c>.</summary>
    public required string Status { get; init; }

    /// <summary>When the message was stored (UTC).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The model that wrote an assistant message.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    /// <summary>Token usage the model reported, when it did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UiUsage? Usage { get; init; }

    /// <summary>Why a reply failed or was cut short, e.g. <c>model_unavailable</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorCode { get; init; }

    /// <summary>The message this one answers or follows; null for a first message.</summary>
    public Guid? ParentId { get; init; }

    /// <summary>The id the client gave a user message, when it gave one; the message's id or this one names it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClientMessageId { get; init; }

    /// <summary>Every version at this position (its own id among them), in creation order, when there is more than one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Guid>? Versions { get; init; }

    /// <summary>This message's index in <see cref="Versions"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? VersionIndex { get; init; }

    /// <summary>The owner's feedback on a reply, when there is some (history only; never in a shared conversation).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FeedbackResponse? Feedback { get; init; }

    public static UiMessageMetadata From(SessionMessage message, IReadOnlyList<Guid>? versions) => new()
    {
        Seq = message.Seq,
        ParentId = message.ParentId is { } parent && parent != Guid.Empty ? parent : null,
        ClientMessageId = message.Metadata.ClientMessageId,
        Versions = versions,
        VersionIndex = versions is null ? null : IndexOf(versions, message.Id),
        Status = message.Status.ToWireName(),
        CreatedAt = message.CreatedAt,
        Model = message.Metadata.Model,
        Usage = UiUsage.From(message.Metadata),
        ErrorCode = message.Metadata.ErrorCode,
    };

    /// <summary>The metadata of a finished reply: the stored message's, or what is known when it could not be stored.</summary>
    public static UiMessageMetadata From(ReplyProgress progress) => progress.Message is { } stored
        ? From(stored, progress.Versions)
        : new UiMessageMetadata
        {
            Status = (progress.Status ?? MessageStatus.Failed).ToWireName(),
            ErrorCode = progress.ErrorCode,
        };

    private static int IndexOf(IReadOnlyList<Guid> versions, Guid id)
    {
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i] == id)
            {
                return i;
            }
        }

        return -1;
    }
}

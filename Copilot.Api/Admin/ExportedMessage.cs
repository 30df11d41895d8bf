using System.Text.Json.Serialization;
using Copilot.Api.Shared;
using Copilot.Grains.Sessions;

namespace Copilot.Api.Admin;

/// <summary>A message line of a user's export.</summary>
internal sealed record class ExportedMessage(
    string Type,
    Guid SessionId,
    Guid Id,
    long Seq,
    string Role,
    string Content,
    string Status,
    DateTimeOffset CreatedAt,
    string? Model,
    long? InputTokens,
    long? OutputTokens,
    string? ErrorCode,
    Guid? ParentId,
    IReadOnlyList<Guid>? FileIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? UsageEstimated)
{
    public static ExportedMessage From(Guid sessionId, SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(
            "message",
            sessionId,
            message.Id,
            message.Seq,
            message.Role.ToWireName(),
            message.Content,
            message.Status.ToWireName(),
            message.CreatedAt,
            message.Metadata.Model,
            message.Metadata.InputTokens,
            message.Metadata.OutputTokens,
            message.Metadata.ErrorCode,
            message.ParentId is { } parent && parent != Guid.Empty ? parent : null,
            message.Files?.Select(f => f.Id).ToList(),
            message.Metadata.UsageEstimated);
    }
}

namespace Copilot.Grains.Sessions.Storage;

/// <summary>A sealed page of messages: written once as its own storage row, never rewritten.</summary>
/// <remarks>Stored format, read by <c>sql/0005_copilot_views.sql</c>: add fields, never rename them.</remarks>
[GenerateSerializer, Alias("copilot.session-page")]
internal sealed record class SessionPage
{
    [Id(0)] public Guid SessionId { get; set; }

    /// <summary>The page number, from 0.</summary>
    [Id(1)] public int PageNumber { get; set; }

    [Id(2)] public List<SessionMessage> Messages { get; set; } = [];
}

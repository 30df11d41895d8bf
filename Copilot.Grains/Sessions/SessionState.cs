using System.Text.Json.Serialization;

namespace Copilot.Grains.Sessions;

/// <summary>The persisted state of one session: its header plus the open page of newest messages.</summary>
/// <remarks>
/// Orleans rewrites a state whole on every write, so this record stays bounded: when <see cref="Messages"/> reaches
/// the page bound it is sealed into a <see cref="SessionPage"/> row of its own and only
/// <see cref="SealedPageCount"/> remains here. The JSON shape is a stored format read by
/// <c>sql/0005_copilot_views.sql</c>: add fields, never rename or reuse them.
/// </remarks>
[GenerateSerializer, Alias("copilot.session-state")]
public sealed record class SessionState
{
    /// <summary>The session id; <see cref="Guid.Empty"/> while the session does not exist.</summary>
    [Id(0)] public Guid Id { get; set; }

    /// <summary>The user who owns it.</summary>
    [Id(1)] public Guid OwnerId { get; set; }

    /// <summary>The persona it was created with.</summary>
    [Id(2)] public Personas.PersonaRole Role { get; set; }

    /// <summary>A short title, taken from the first user message.</summary>
    [Id(3)] public string Title { get; set; } = "";

    /// <summary>When it was created (UTC).</summary>
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a message was last added (UTC): the start of the idle period.</summary>
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Live or being deleted.</summary>
    [Id(6)] public SessionStatus Status { get; set; }

    /// <summary>Messages in the session, sealed pages included; also the next sequence number.</summary>
    [Id(7)] public long MessageCount { get; set; }

    /// <summary>Pages sealed so far; page numbers run from 0 to this minus one.</summary>
    [Id(8)] public int SealedPageCount { get; set; }

    /// <summary>The turn being generated, if any.</summary>
    [Id(9)] public InFlightTurn? InFlight { get; set; }

    /// <summary>The latest turns by client message id, newest last, bounded.</summary>
    [Id(10)] public List<RecentTurn> RecentTurns { get; set; } = [];

    /// <summary>The open page: the newest messages, oldest first.</summary>
    [Id(11)] public List<SessionMessage> Messages { get; set; } = [];

    /// <summary>The due time the expiry reminder was last registered for.</summary>
    [Id(12)] public DateTimeOffset? ExpiryDueAt { get; set; }

    /// <summary>The first sequence number of each sealed page, by page number; finds the page of a cursor.</summary>
    [Id(13)] public List<long> SealedPageStarts { get; set; } = [];

    /// <summary>Whether this state describes a live session.</summary>
    [JsonIgnore]
    public bool Exists => Id != Guid.Empty && Status == SessionStatus.Active;
}

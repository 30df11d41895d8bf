using System.Text.Json.Serialization;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>The persisted header of one session, written at create, rename, delete and each page seal (a checkpoint),
/// not per turn.</summary>
/// <remarks>
/// Messages live in <see cref="SessionSegment"/> rows (one per write) until the tail reaches the page bound and is
/// sealed into a <see cref="SessionPage"/>. <see cref="MessageCount"/>, <see cref="UpdatedAt"/>, <see cref="InFlight"/>
/// and <see cref="RecentTurns"/> are as of the last checkpoint; the segments from <see cref="FirstOpenSegment"/> on
/// bring them up to date. The JSON shape is a stored format read by the SQL views: add fields, never rename or reuse them.
/// </remarks>
[GenerateSerializer, Alias("copilot.session-state")]
internal sealed record class SessionState
{
    /// <summary>The session id; <see cref="Guid.Empty"/> while the session does not exist.</summary>
    [Id(0)] public Guid Id { get; set; }

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

    /// <summary>The open page of a release that kept messages in the header: the oldest part of the unsealed tail until
    /// the next seal folds it into a page. Written empty by this release.</summary>
    [Id(11)] public List<SessionMessage> Messages { get; set; } = [];

    /// <summary>Written by older releases and never read; kept so their rows keep their shape. No longer written.</summary>
    [Id(12)] public DateTimeOffset? ExpiryDueAt { get; set; }

    /// <summary>The first sequence number of each sealed page, by page number; finds the page of a cursor.</summary>
    [Id(13)] public List<long> SealedPageStarts { get; set; } = [];

    /// <summary>The first segment not yet folded into a sealed page; segments below it are ignored wherever they remain.</summary>
    [Id(14)] public long FirstOpenSegment { get; set; }

    /// <summary>How many segment rows the session reuses in turn: segment <c>n</c> is stored in row <c>n % SegmentSlots</c>,
    /// over a folded segment, so a seal deletes nothing. 0 for sessions created before rows were reused: segment
    /// <c>n</c> is row <c>n</c>, deleted once folded. Fixed at creation.</summary>
    [Id(15)] public int SegmentSlots { get; set; }

    /// <summary>The end of the active path (the conversation the model and the reads follow), as of the last header write;
    /// null in sessions of releases before branches and in new ones until their first message: the newest message.</summary>
    [Id(16)] public ActiveLeaf? ActiveLeaf { get; set; }

    /// <summary>The fork table: each message with more than one child (<see cref="Guid.Empty"/> for the first position),
    /// its children in creation order; as of the last header write, brought up to date by the segments after it.</summary>
    [Id(17)] public List<Fork> Forks { get; set; } = [];

    /// <summary>Whether this state describes a live session.</summary>
    [JsonIgnore]
    public bool Exists => Id != Guid.Empty && Status == SessionStatus.Active;
}

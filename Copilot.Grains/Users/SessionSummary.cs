using System.Text.Json.Serialization;
using Copilot.Grains.Personas;

namespace Copilot.Grains.Users;

/// <summary>One line of a user's session list.</summary>
/// <remarks>Stored as a row of <see cref="IUserSessionStore"/> (earlier releases: inside <see cref="UserSessionsState"/>,
/// whose JSON names are a stored format): a field added here is a column added there.</remarks>
[GenerateSerializer, Immutable, Alias("copilot.session-summary")]
public sealed record class SessionSummary
{
    [Id(0)] public required Guid Id { get; init; }

    [Id(1)] public required string Title { get; init; }

    [Id(2)] public required PersonaRole Role { get; init; }

    /// <summary>Created (UTC).</summary>
    [Id(3)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last message added (UTC).</summary>
    [Id(4)] public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Messages in the session.</summary>
    [Id(5)] public long MessageCount { get; init; }

    /// <summary>Whether a reply is being generated in the session right now.</summary>
    /// <remarks>Never stored: after a restart no reply of the old activation is still being generated.</remarks>
    [Id(6), JsonIgnore] public bool TurnInFlight { get; init; }

    /// <summary>The title a session gets from its first message <paramref name="firstMessage"/>.</summary>
    public static string TitleOf(string firstMessage) => Sessions.Storage.SessionProjections.MakeTitle(firstMessage);
}

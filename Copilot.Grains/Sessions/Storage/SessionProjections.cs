using Copilot.Grains.Users;

namespace Copilot.Grains.Sessions.Storage;

/// <summary>What callers see of a session's state: its header and its line in the user's list.</summary>
internal static class SessionProjections
{
    /// <summary>Longest title kept, in characters.</summary>
    public const int TitleMaxChars = 80;

    public static SessionInfo ToInfo(SessionState state, Guid? runningTurnId) => new()
    {
        Id = state.Id,
        OwnerId = state.OwnerId,
        Role = state.Role,
        Title = state.Title,
        CreatedAt = state.CreatedAt,
        UpdatedAt = state.UpdatedAt,
        MessageCount = state.MessageCount,
        TurnInFlight = runningTurnId is not null,
        InFlightTurnId = runningTurnId,
    };

    public static SessionSummary ToSummary(SessionState state, bool turnInFlight) => new()
    {
        Id = state.Id,
        Title = state.Title,
        Role = state.Role,
        CreatedAt = state.CreatedAt,
        UpdatedAt = state.UpdatedAt,
        MessageCount = state.MessageCount,
        TurnInFlight = turnInFlight,
    };

    /// <summary>A one-line title: whitespace runs collapsed, cut to <see cref="TitleMaxChars"/> with an ellipsis.</summary>
    public static string MakeTitle(string content)
    {
        var line = string.Join(' ', content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= TitleMaxChars ? line : string.Concat(line.AsSpan(0, TitleMaxChars - 1), "…");
    }
}

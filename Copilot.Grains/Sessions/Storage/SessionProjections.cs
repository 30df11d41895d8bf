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

    /// <summary>A title by <see cref="StoredText.Title"/>, cut to <see cref="TitleMaxChars"/>.</summary>
    public static string MakeTitle(string content) => StoredText.Title(content, TitleMaxChars);
}

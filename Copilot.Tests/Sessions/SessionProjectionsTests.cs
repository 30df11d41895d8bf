using Copilot.Grains.Personas;
using Copilot.Grains.Sessions.Storage;

namespace Copilot.Tests.Sessions;

public sealed class SessionProjectionsTests
{
    private static readonly SessionState State = new()
    {
        Id = Guid.NewGuid(),
        OwnerId = Guid.NewGuid(),
        Role = PersonaRole.Pm,
        Title = "Leak",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch.AddHours(1),
        MessageCount = 7,
    };

    [Fact]
    public void The_header_shows_the_running_turn_only_while_there_is_one()
    {
        var turnId = Guid.NewGuid();
        var running = SessionProjections.ToInfo(State, turnId);
        var idle = SessionProjections.ToInfo(State, null);

        Assert.Equal((State.Id, State.OwnerId, State.Role, "Leak", 7L), (running.Id, running.OwnerId, running.Role, running.Title, running.MessageCount));
        Assert.Equal((State.CreatedAt, State.UpdatedAt), (running.CreatedAt, running.UpdatedAt));
        Assert.Equal((true, (Guid?)turnId), (running.TurnInFlight, running.InFlightTurnId));
        Assert.Equal((false, (Guid?)null), (idle.TurnInFlight, idle.InFlightTurnId));
    }

    [Fact]
    public void The_list_line_carries_the_header_fields_and_the_turn_flag()
    {
        var line = SessionProjections.ToSummary(State, turnInFlight: true);

        Assert.Equal((State.Id, "Leak", PersonaRole.Pm, 7L, true), (line.Id, line.Title, line.Role, line.MessageCount, line.TurnInFlight));
        Assert.Equal(State.UpdatedAt, line.UpdatedAt);
    }

    [Fact]
    public void A_title_is_one_line_cut_with_an_ellipsis()
    {
        Assert.Equal("Roof inspection at Elm St", SessionProjections.MakeTitle("  Roof   inspection\nat Elm St  "));
        var cut = SessionProjections.MakeTitle(new string('a', 200));
        Assert.Equal(SessionProjections.TitleMaxChars, cut.Length);
        Assert.EndsWith("…", cut);
    }
}

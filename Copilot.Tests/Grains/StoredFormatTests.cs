using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Storage;

namespace Copilot.Tests.Grains;

/// <summary>The stored JSON is read by SQL views and by every future version of the service: pin its shape.</summary>
public sealed class StoredFormatTests
{
    [Fact]
    public void A_session_header_serializes_to_the_documented_snake_case_shape()
    {
        var at = new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
        var state = new SessionState
        {
            Id = Guid.Parse("11111111-1111-1111-1111-111111111111"),
            OwnerId = Guid.Parse("22222222-2222-2222-2222-222222222222"),
            Role = PersonaRole.Pm,
            Title = "Leak at 12 Elm",
            CreatedAt = at,
            UpdatedAt = at,
            MessageCount = 1,
            Messages =
            [
                new SessionMessage
                {
                    Id = Guid.Parse("33333333-3333-3333-3333-333333333333"),
                    Seq = 0,
                    Role = MessageRole.User,
                    Content = "Leak at 12 Elm – ñ",
                    CreatedAt = at,
                },
            ],
        };

        var json = JsonSerializer.Serialize(state, CopilotStorage.JsonOptions);

        Assert.Equal(
            """{"id":"11111111-1111-1111-1111-111111111111","owner_id":"22222222-2222-2222-2222-222222222222","role":"pm","title":"Leak at 12 Elm","created_at":"2026-11-24T09:30:00+00:00","updated_at":"2026-11-24T09:30:00+00:00","status":"active","message_count":1,"sealed_page_count":0,"in_flight":null,"recent_turns":[],"messages":[{"id":"33333333-3333-3333-3333-333333333333","seq":0,"role":"user","content":"Leak at 12 Elm – ñ","created_at":"2026-11-24T09:30:00+00:00","status":"complete","metadata":{"model":null,"input_tokens":null,"output_tokens":null,"error_code":null,"client_message_id":null},"parent_id":null}],"expiry_due_at":null,"sealed_page_starts":[],"first_open_segment":0,"segment_slots":0,"active_leaf":null,"forks":[]}""",
            json);
        var read = JsonSerializer.Deserialize<SessionState>(json, CopilotStorage.JsonOptions);
        Assert.Equal(json, JsonSerializer.Serialize(read, CopilotStorage.JsonOptions));
    }

    [Fact]
    public void A_segment_serializes_to_the_documented_snake_case_shape()
    {
        var at = new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
        var segment = new SessionSegment
        {
            SessionId = Guid.Parse("11111111-1111-1111-1111-111111111111"),
            SegmentNumber = 12,
            Messages =
            [
                new SessionMessage
                {
                    Id = Guid.Parse("33333333-3333-3333-3333-333333333333"),
                    Seq = 40,
                    Role = MessageRole.User,
                    Content = "hi",
                    CreatedAt = at,
                },
            ],
            InFlight = new InFlightTurn
            {
                TurnId = Guid.Parse("44444444-4444-4444-4444-444444444444"),
                UserMessageId = Guid.Parse("33333333-3333-3333-3333-333333333333"),
                StartedAt = at,
                Model = "offline",
            },
        };

        var json = JsonSerializer.Serialize(segment, CopilotStorage.JsonOptions);

        Assert.Equal(
            """{"session_id":"11111111-1111-1111-1111-111111111111","segment_number":12,"messages":[{"id":"33333333-3333-3333-3333-333333333333","seq":40,"role":"user","content":"hi","created_at":"2026-11-24T09:30:00+00:00","status":"complete","metadata":{"model":null,"input_tokens":null,"output_tokens":null,"error_code":null,"client_message_id":null},"parent_id":null}],"in_flight":{"turn_id":"44444444-4444-4444-4444-444444444444","user_message_id":"33333333-3333-3333-3333-333333333333","started_at":"2026-11-24T09:30:00+00:00","model":"offline"},"forks":[]}""",
            json);
    }
}

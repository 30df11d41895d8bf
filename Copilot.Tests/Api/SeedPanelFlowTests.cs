using System.Net;
using System.Text.Json;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.Api;

public sealed class SeedPanelFlowTests
{
    [Fact]
    public async Task The_panels_flow_survives_an_app_restart_with_everything_in_order()
    {
        var serviceId = "panel-" + Guid.NewGuid().ToString("N")[..8];
        var userId = Guid.NewGuid();
        Guid sessionId;
        JsonElement[] before;

        await using (var app = await CopilotAppFactory.StartAsync(serviceId))
        {
            var panel = new CopilotClient(app.CreateClient(), userId);

            // First send: no session yet.
            var first = await panel.SendAsync("How do I inspect a flat roof?", sessionId: null, role: "pm");
            Assert.Equal(HttpStatusCode.OK, first.Status);
            Assert.Equal("text/plain; charset=utf-8", first.ContentType);
            sessionId = first.SessionId;
            Assert.Equal(OfflineReplies.For("How do I inspect a flat roof?", 0), first.Reply);

            // Second send continues it.
            var second = await panel.SendAsync("And a steep one?", sessionId, role: "pm");
            Assert.Equal(sessionId, second.SessionId);
            Assert.Equal(OfflineReplies.For("And a steep one?", 1), second.Reply);

            var sessions = await panel.ListSessionsAsync();
            var listed = Assert.Single(sessions);
            Assert.Equal(sessionId, listed.GetProperty("id").GetGuid());
            Assert.Equal(userId, listed.GetProperty("user_id").GetGuid());
            Assert.Equal("pm", listed.GetProperty("metadata").GetProperty("role").GetString());
            Assert.True(listed.GetProperty("is_active").GetBoolean());
            Assert.True(listed.GetProperty("updated_at").GetDateTimeOffset() >= listed.GetProperty("created_at").GetDateTimeOffset());

            before = await panel.LoadMessagesAsync(sessionId);
            Assert.Equal(
                ["user", "assistant", "user", "assistant"],
                before.Select(m => m.GetProperty("role").GetString()));
            Assert.Equal(
                ["How do I inspect a flat roof?", first.Reply, "And a steep one?", second.Reply],
                before.Select(m => m.GetProperty("content").GetString()));
            Assert.All(before, m => Assert.Equal(sessionId, m.GetProperty("session_id").GetGuid()));
            Assert.All(before, m => Assert.Equal(TimeSpan.Zero, m.GetProperty("created_at").GetDateTimeOffset().Offset));
        }

        await using (var restarted = await CopilotAppFactory.StartAsync(serviceId))
        {
            var panel = new CopilotClient(restarted.CreateClient(), userId);

            var after = await panel.LoadMessagesAsync(sessionId);
            Assert.Equal(before.Select(m => m.GetRawText()), after.Select(m => m.GetRawText()));
            Assert.Equal(sessionId, Assert.Single(await panel.ListSessionsAsync()).GetProperty("id").GetGuid());

            var third = await panel.SendAsync("Thanks", sessionId, role: "pm");
            Assert.Equal(sessionId, third.SessionId);
            Assert.Equal(OfflineReplies.For("Thanks", 2), third.Reply);
        }
    }
}

using System.Net;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.Api;

[Collection(AppCollection.Name)]
public sealed class IsolationTests(AppFixture fixture)
{
    [Fact]
    public async Task Listing_shows_only_the_callers_own_sessions()
    {
        var (alice, bob) = (fixture.NewUser(), fixture.NewUser());
        var aliceSession = (await alice.SendAsync("alice's roof")).SessionId;
        var bobSession = (await bob.SendAsync("bob's roof")).SessionId;

        Assert.Equal([aliceSession], (await alice.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal([bobSession], (await bob.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Loading_someone_elses_session_is_the_same_404_as_an_unknown_one()
    {
        var (alice, bob) = (fixture.NewUser(), fixture.NewUser());
        var aliceSession = (await alice.SendAsync("private")).SessionId;

        var (otherStatus, otherBody) = await bob.GetAsync($"/api/copilot?sessionId={aliceSession}");
        var (unknownStatus, unknownBody) = await bob.GetAsync($"/api/copilot?sessionId={Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
        Assert.Equal(HttpStatusCode.NotFound, unknownStatus);
        Assert.Equal("Session not found", otherBody.GetProperty("error").GetString());
        Assert.Equal(unknownBody.GetRawText(), otherBody.GetRawText());
    }

    [Fact]
    public async Task Sending_to_someone_elses_session_starts_a_new_one_and_leaves_theirs_untouched()
    {
        var (alice, bob) = (fixture.NewUser(), fixture.NewUser());
        var aliceSession = (await alice.SendAsync("alice only")).SessionId;
        var aliceBefore = await alice.LoadMessagesAsync(aliceSession);

        var bobSend = await bob.SendAsync("let me in", aliceSession);

        Assert.NotEqual(aliceSession, bobSend.SessionId);
        Assert.Equal(OfflineReplies.For("let me in", 0), bobSend.Reply);
        var aliceAfter = await alice.LoadMessagesAsync(aliceSession);
        Assert.Equal(aliceBefore.Select(m => m.GetRawText()), aliceAfter.Select(m => m.GetRawText()));
        Assert.Equal([bobSend.SessionId], (await bob.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal([aliceSession], (await alice.ListSessionsAsync()).Select(s => s.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Sending_to_an_unknown_session_id_starts_a_new_session()
    {
        var user = fixture.NewUser();
        var unknown = Guid.NewGuid();

        var send = await user.SendAsync("hello", unknown);

        Assert.NotEqual(unknown, send.SessionId);
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync($"/api/copilot?sessionId={unknown}")).Status);
        Assert.Equal(2, (await user.LoadMessagesAsync(send.SessionId)).Length);
    }
}

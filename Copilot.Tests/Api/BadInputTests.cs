using System.Net;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api;

[Collection(AppCollection.Name)]
public sealed class BadInputTests(AppFixture fixture)
{
    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"message": "hi", """, "Request body must be a JSON object" },
        { "not json at all", "Request body must be a JSON object" },
        { "[1, 2]", "Request body must be a JSON object" },
        { "{}", "Message is required" },
        { """{"message": null}""", "Message is required" },
        { """{"message": ""}""", "Message is required" },
        { """{"message": "   \n "}""", "Message is required" },
        { """{"message": 42}""", "Message must be a string" },
        { """{"message": "hi", "sessionId": "not-a-uuid"}""", "sessionId must be a UUID" },
        { """{"message": "hi", "sessionId": 7}""", "sessionId must be a UUID" },
        { """{"message": "hi", "role": "ceo"}""", "role must be one of field, pm, exec" },
        { """{"message": "hi", "role": "Field"}""", "role must be one of field, pm, exec" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_send_gets_a_clear_400_and_stores_nothing(string body, string expectedError)
    {
        var user = fixture.NewUser();

        var (status, error) = await user.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(expectedError, error.GetProperty("error").GetString());
        Assert.Empty(await user.ListSessionsAsync());
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_and_nothing_is_stored()
    {
        var user = fixture.NewUser();
        var existing = (await user.SendAsync("first")).SessionId;

        var (status, error) = await user.PostRawAsync(
            System.Text.Json.JsonSerializer.Serialize(new { message = new string('x', 16_001), sessionId = existing }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Message is too long: 16001 characters, the limit is 16000", error.GetProperty("error").GetString());
        Assert.Equal(2, (await user.LoadMessagesAsync(existing)).Length);
    }

    [Fact]
    public async Task A_message_at_the_limit_is_accepted()
    {
        var user = fixture.NewUser();

        var send = await user.SendAsync(new string('y', 16_000));

        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.Equal(16_000, (await user.LoadMessagesAsync(send.SessionId))[0].GetProperty("content").GetString()!.Length);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_gets_413_and_stores_nothing()
    {
        var user = fixture.NewUser();

        var (status, error) = await user.PostRawAsync($$"""{"message": "{{new string('z', 300 * 1024)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("body_too_large", error.GetProperty("code").GetString());
        Assert.Empty(await user.ListSessionsAsync());
    }

    [Fact]
    public async Task Loading_with_a_malformed_session_id_gets_400()
    {
        var user = fixture.NewUser();

        var (status, error) = await user.GetAsync("/api/copilot?sessionId=12345");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("sessionId must be a UUID", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Errors_never_carry_a_stack_trace()
    {
        var user = fixture.NewUser();

        var (_, error) = await user.PostRawAsync("{\"message\": [1]}");

        Assert.DoesNotContain("   at ", error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(["error", "code"], error.EnumerateObject().Select(p => p.Name));
    }
}

using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;

namespace Copilot.Tests.ChatModel;

/// <summary>The OpenAI client's retries as configured by <c>Copilot:ChatModel:MaxRetries</c> (here 1) and
/// <c>Copilot:ChatModel:MaxRetryWait</c> (its default, 10 s).</summary>
public sealed class OpenAIRetryTests(RetryingOpenAIClusterFixture fixture) : IClassFixture<RetryingOpenAIClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;
    private readonly FakeOpenAIServer _server = fixture.Server;

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    public async Task A_failed_request_is_retried_once_and_the_retry_s_reply_is_stored_complete(int status)
    {
        var (user, grain, token) = await NewSessionAsync();
        _server.Enqueue(token, Failure(status), FakeOpenAIReply.Stream(["Second ", "time lucky."]));
        var question = $"{token} is the ridge vent enough?";

        var done = await Turns.SendAsync(grain, user, question);

        Assert.Equal(MessageStatus.Complete, done.Status);
        Assert.NotNull(done.Message);
        Assert.Equal("Second time lucky.", done.Message.Content);
        Assert.Null(done.Message.Metadata.ErrorCode);
        var requests = _server.RequestsFor(token);
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Body.GetRawText(), requests[1].Body.GetRawText());
        Assert.Equal([("system", Personas.SystemPrompt(PersonaRole.Field)), ("user", question)], requests[1].Messages);
    }

    [Theory]
    [InlineData(429, ErrorCodes.ModelRateLimited)]
    [InlineData(500, ErrorCodes.ModelUnavailable)]
    public async Task A_request_that_fails_again_on_its_one_retry_fails_the_turn(int status, string errorCode)
    {
        var (user, grain, token) = await NewSessionAsync();
        _server.Enqueue(token, Failure(status), Failure(status), FakeOpenAIReply.Stream(["never sent"]));

        var done = await Turns.SendAsync(grain, user, $"{token} is the ridge vent enough?");

        Assert.Equal(MessageStatus.Failed, done.Status);
        Assert.Equal(errorCode, done.ErrorCode);
        Assert.Equal(2, _server.RequestsFor(token).Count);
    }

    [Fact]
    public async Task A_provider_asking_to_wait_longer_than_the_longest_retry_wait_fails_the_turn_at_once()
    {
        // Waiting two minutes for a retry would hold the user's first word past the first chunk's timeout: the turn fails
        // with what the provider said, and the user can try again when they choose.
        var (user, grain, token) = await NewSessionAsync();
        _server.Enqueue(token, FakeOpenAIReply.RateLimited(retryAfter: "120"), FakeOpenAIReply.Stream(["never sent"]));

        var done = await Turns.SendAsync(grain, user, $"{token} is the ridge vent enough?");

        Assert.Equal((MessageStatus.Failed, ErrorCodes.ModelRateLimited), (done.Status, done.ErrorCode));
        Assert.Single(_server.RequestsFor(token));
    }

    private static FakeOpenAIReply Failure(int status) =>
        status == 429 ? FakeOpenAIReply.RateLimited() : FakeOpenAIReply.ServerError();

    private async Task<(Guid User, ISessionGrain Grain, string Token)> NewSessionAsync()
    {
        var user = Guid.NewGuid();
        var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(user, PersonaRole.Field);
        return (user, grain, "t" + Guid.NewGuid().ToString("N"));
    }
}

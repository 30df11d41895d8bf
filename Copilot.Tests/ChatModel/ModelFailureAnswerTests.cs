using System.Net;
using System.Text.Json;
using Copilot.Grains;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;

namespace Copilot.Tests.ChatModel;

/// <summary>What a user is told when the model fails before its first text, through the real OpenAI client against a
/// fake OpenAI server, on both surfaces: a 502 with the failure's code, the message kept, and "try again" said only
/// where trying again can help.</summary>
public sealed class ModelFailureAnswerTests : IAsyncLifetime
{
    private FakeOpenAIServer _model = null!;
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeOpenAIServer.StartAsync();
        _app = await CopilotAppFactory.StartAsync(settings: _model.ServiceSettings());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Theory]
    [InlineData(401, "invalid_api_key", ErrorCodes.ModelAuthFailed, "will not help", false)]
    [InlineData(400, "invalid_request_error", ErrorCodes.ModelRejected, "rephrase it", false)]
    [InlineData(500, "server_error", ErrorCodes.ModelUnavailable, "please try again", true)]
    public async Task A_model_failure_is_a_502_with_its_code_and_says_try_again_only_when_it_can_help(
        int upstream, string type, string code, string advice, bool saysTryAgain)
    {
        var token = "t" + Guid.NewGuid().ToString("N");
        var question = $"{token} does a 3/12 pitch need low-slope underlayment?";
        _model.Enqueue(token, FakeOpenAIReply.Error(upstream, type, "refused by the fake model"), FakeOpenAIReply.Error(upstream, type, "refused again"));
        var seedUser = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        var v1User = new V1Client(_app.CreateClient(), Guid.NewGuid());
        var chatId = Guid.NewGuid();

        var seed = await seedUser.SendAsync(question);
        using var v1 = await v1User.PostChatAsync(V1Client.Body(chatId, "m-1", question));
        var (v1Status, v1Body, contentType) = await V1Client.ReadAsync(v1);

        using var seedBody = JsonDocument.Parse(seed.Body);
        var seedError = seedBody.RootElement.GetProperty("error").GetString()!;
        var v1Detail = v1Body.GetProperty("detail").GetString()!;
        Assert.Equal((HttpStatusCode.BadGateway, code), (seed.Status, seedBody.RootElement.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.BadGateway, code, "application/problem+json"), (v1Status, v1Body.GetProperty("code").GetString(), contentType));
        foreach (var text in new[] { seedError, v1Detail })
        {
            Assert.Contains("your message was saved", text, StringComparison.Ordinal);
            Assert.Contains(advice, text, StringComparison.Ordinal);
            Assert.Equal(saysTryAgain, text.Contains("please try again", StringComparison.Ordinal));
        }

        Assert.Equal(2, _model.RequestsFor(token).Count);
        Assert.Equal([("user", question, "complete"), ("assistant", "", "failed")], await v1User.HistoryAsync(chatId));
    }
}

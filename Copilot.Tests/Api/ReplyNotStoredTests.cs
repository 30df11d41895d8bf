using System.Net;
using System.Net.Http.Json;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Copilot.Tests.Api;

/// <summary>A send whose reply could not be stored before anything of it reached the client: both surfaces answer the
/// documented <c>503 unavailable</c>, with the <c>Retry-After: 5</c> every other 503 of storage carries.</summary>
/// <remarks>The model fails at once and the test fails the reply's write, with no retry window, so the turn ends with
/// nothing streamed and the reply unstored.</remarks>
public sealed class ReplyNotStoredTests : IAsyncLifetime
{
    private readonly GatedChatClient _model = new();
    private readonly StorageHold _hold = new();
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await CopilotAppFactory.StartAsync(
        settings: new Dictionary<string, string?>
        {
            ["Copilot:Sessions:ReplyWriteRetryWindow"] = "00:00:00",
            // The activation's later attempts to store the reply must not meet the hold armed for the next send.
            ["Copilot:Sessions:UnstoredReplyRetryPeriod"] = "01:00:00",
        },
        configureServices: services =>
        {
            services.AddSingleton<IChatClient>(_model);
            HeldGrainStorage.Install(services, _hold);
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_reply_that_cannot_be_stored_is_a_503_with_retry_after_on_both_surfaces()
    {
        var seedUser = new CopilotClient(_app.CreateClient(), Guid.NewGuid());
        using var seedRequest = seedUser.NewRequest(HttpMethod.Post, "/api/copilot");
        seedRequest.Content = JsonContent.Create(new { message = "is the gutter level?", role = "field" });
        using var seed = await FailReplyStoreAsync(_app.CreateClient().SendAsync(seedRequest));

        var v1User = new V1Client(_app.CreateClient(), Guid.NewGuid());
        using var v1 = await FailReplyStoreAsync(v1User.PostChatAsync(V1Client.Body(Guid.NewGuid(), "m-1", "is the fascia rotten?")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, seed.StatusCode);
        Assert.Equal(ErrorCodes.Unavailable, (await CopilotClient.ReadJsonAsync(seed)).GetProperty("code").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), seed.Headers.RetryAfter?.Delta);
        V1Client.AssertProblem(await V1Client.ReadAsync(v1), HttpStatusCode.ServiceUnavailable, ErrorCodes.Unavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), v1.Headers.RetryAfter?.Delta);
    }

    /// <summary>Lets <paramref name="send"/> store its question, fails the model at once and the reply's write, and
    /// returns the answer.</summary>
    private async Task<HttpResponseMessage> FailReplyStoreAsync(Task<HttpResponseMessage> send)
    {
        // The question is stored before the model is asked; the next segment written is the reply. Once failed, the hold
        // fails every write it is armed for again.
        var reply = await _model.NextReplyAsync();
        _hold.Arm(CopilotStorage.SessionSegmentStateName);
        reply.Fail(new ChatModelException(ErrorCodes.ModelUnavailable, "The provider answered 503."));
        await _hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        _hold.Fail(new NpgsqlException("The test refused the reply's write."));
        return await send;
    }
}

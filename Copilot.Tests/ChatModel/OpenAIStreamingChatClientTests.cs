using System.ClientModel;
using System.Text.Json;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Grains.Files;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Turns;
using Copilot.Silo.ChatModel;
using Copilot.Silo.Hosting;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Copilot.Tests.ChatModel;

/// <summary>The service's OpenAI client (<see cref="ChatModelHosting.CreateOpenAIClient"/>, the SDK's protocol method
/// read event by event) against <see cref="FakeOpenAIServer"/>, beside Microsoft.Extensions.AI's adapter over the same
/// SDK: what the adapter would send and yield is what the service's client sends and yields.</summary>
public sealed class OpenAIStreamingChatClientTests(OpenAIClusterFixture fixture) : IClassFixture<OpenAIClusterFixture>, IDisposable
{
    // The name the runtime gives the thread that polls the sockets (System.Net.Sockets' SocketAsyncEngine).
    private const string SocketThreadName = ".NET Sockets";

    private readonly FakeOpenAIServer _server = fixture.Server;
    private readonly IChatClient _service = ChatModelHosting.CreateOpenAIClient(new ChatModelOptions
    {
        Provider = ChatModelProvider.OpenAI,
        Endpoint = fixture.Server.Endpoint,
        ApiKey = OpenAIClusterFixture.ApiKey,
        Model = OpenAIClusterFixture.Model,
        MaxRetries = 0,
    });

    private readonly IChatClient _adapter = new OpenAI.Chat.ChatClient(
        OpenAIClusterFixture.Model,
        new ApiKeyCredential(OpenAIClusterFixture.ApiKey),
        new OpenAIClientOptions { Endpoint = fixture.Server.Endpoint }).AsIChatClient();

    // As ReplyGenerator asks.
    private static readonly ChatOptions ServiceOptions = new()
    {
        ModelId = OpenAIClusterFixture.Model,
        Temperature = OpenAIClusterFixture.Temperature,
        MaxOutputTokens = OpenAIClusterFixture.MaxOutputTokens,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_request_is_byte_for_byte_the_one_the_adapter_sends(bool withOptions)
    {
        var token = NewToken();
        var png = new FileRef { Id = Guid.NewGuid(), MediaType = "image/png", Width = 2, Height = 1, Filename = "roof.png" };
        var jpeg = new FileRef { Id = Guid.NewGuid(), MediaType = "image/jpeg", Width = 1, Height = 2 };
        var newestFirst = new[]
        {
            Message(MessageRole.User, $"{token} and now <this> & 'that'?"),
            Message(MessageRole.User, "", jpeg),
            Message(MessageRole.Assistant, "Check the flashing \u2028 first \U0001F600."),
            Message(MessageRole.User, "Is the ridge vent enough? Ça coûte combien ?", png),
        };
        var input = await ContextWindow.BuildAsync(
            PersonaRole.Field, newestFirst.ToAsyncEnumerable(), 10, 10_000, maxImages: 2, f => Task.FromResult<byte[]?>([.. f.Id.ToByteArray(), 0xFB, 0xFF]));
        var options = withOptions ? ServiceOptions : null;

        await _adapter.GetStreamingResponseAsync(input, options).ToListAsync();
        await _service.GetStreamingResponseAsync(input, options).ToListAsync();

        var requests = _server.RequestsFor(token);
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Body.GetRawText(), requests[1].Body.GetRawText());

        // What both sent, so that the comparison cannot pass over an empty or a text-only request.
        var messages = requests[1].Body.GetProperty("messages");
        Assert.Equal(["system", "user", "assistant", "user", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        var image = messages[1].GetProperty("content")[1];
        Assert.Equal("image_url", image.GetProperty("type").GetString());
        Assert.Equal(
            "data:image/png;base64," + Convert.ToBase64String([.. png.Id.ToByteArray(), 0xFB, 0xFF]),
            image.GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.String, messages[4].GetProperty("content").ValueKind);
        Assert.Equal(withOptions, requests[1].Body.TryGetProperty("max_completion_tokens", out _));
        Assert.Equal(JsonValueKind.True, requests[1].Body.GetProperty("stream_options").GetProperty("include_usage").ValueKind);
    }

    [Fact]
    public async Task Text_arrives_event_by_event_with_the_model_finish_reason_and_usage_the_adapter_reports()
    {
        var token = NewToken();
        var reply = FakeOpenAIReply.Stream(
            ["Check ", "the flashing ", "first."], model: "reported-model", promptTokens: 42, completionTokens: 7, pauseAfter: 1);
        _server.Enqueue(token, reply, FakeOpenAIReply.Stream(["Check ", "the flashing ", "first."], "reported-model", 42, 7));
        List<ChatMessage> input = [new(ChatRole.User, $"{token} where do leaks start?")];

        var updates = new List<ChatResponseUpdate>();
        await using (var stream = _service.GetStreamingResponseAsync(input, ServiceOptions).GetAsyncEnumerator())
        {
            // The first text comes while the server holds back the rest: nothing waits for the whole reply.
            Assert.True(await stream.MoveNextAsync());
            updates.Add(stream.Current);
            Assert.Equal("Check ", stream.Current.Text);
            reply.Release();
            while (await stream.MoveNextAsync())
            {
                updates.Add(stream.Current);
            }
        }

        var adapted = await _adapter.GetStreamingResponseAsync(input, ServiceOptions).ToListAsync();

        Assert.Equal(["Check ", "the flashing ", "first.", "", ""], updates.Select(u => u.Text));
        Assert.Equal([null, null, null, ChatFinishReason.Stop, ChatFinishReason.Stop], updates.Select(u => u.FinishReason));
        Assert.All(updates, u => Assert.Equal("reported-model", u.ModelId));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct(), id => id!.StartsWith("chatcmpl-", StringComparison.Ordinal));
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents)).Details;
        Assert.Equal((42L, 7L, 49L), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
        Assert.Equal(Summary(adapted.Where(u => u.Text.Length > 0 || u.FinishReason is not null)), Summary(updates));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_text_the_model_held_back_is_read_on_the_socket_thread_only_with_inline_reads(bool inline)
    {
        using var client = ChatModelHosting.CreateOpenAIClient(new ChatModelOptions
        {
            Provider = ChatModelProvider.OpenAI,
            Endpoint = _server.Endpoint,
            ApiKey = OpenAIClusterFixture.ApiKey,
            Model = OpenAIClusterFixture.Model,
            MaxRetries = 0,
            InlineStreamReads = inline,
        });
        var token = NewToken();
        var reply = FakeOpenAIReply.Stream(["Check ", "the flashing ", "first."], pauseAfter: 1);
        _server.Enqueue(token, reply);

        var text = "";
        await using var stream = client.GetStreamingResponseAsync([new(ChatRole.User, $"{token} where do leaks start?")], ServiceOptions)
            .GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        text += stream.Current.Text;

        // The next read waits on the socket before the server sends more, so it completes from the socket's poll.
        var next = ThreadThatCompletesAsync(stream.MoveNextAsync());
        reply.Release();
        var (moved, pooled, name) = await next;
        Assert.True(moved);
        text += stream.Current.Text;
        while (await stream.MoveNextAsync())
        {
            text += stream.Current.Text;
        }

        Assert.Equal("Check the flashing first.", text);
        Assert.True(ModelHttpClient.InlineReadsAvailable, "this runtime no longer lets a socket prefer inline completions");
        // The runtime's socket thread is the one thread outside the pool that reads completions; without inline reads
        // the read's continuation may run anywhere else (a pool worker, or the test's thread if it ever completes there).
        var onSocketThread = !pooled && name == SocketThreadName;
        Assert.True(onSocketThread == inline, $"the held-back text was read on {(pooled ? "a thread-pool worker" : $"the thread '{name}'")}");
    }

    [Theory]
    [InlineData("error event")]
    [InlineData("invalid JSON")]
    [InlineData("disconnect")]
    public async Task A_stream_that_ends_badly_yields_its_text_then_fails_as_a_model_error(string end)
    {
        var token = NewToken();
        string[] chunks = ["Check ", "the flashing"];
        var reply = end switch
        {
            "error event" => FakeOpenAIReply.StreamThenError(chunks),
            "invalid JSON" => FakeOpenAIReply.StreamThenInvalidJson(chunks),
            _ => FakeOpenAIReply.StreamThenDisconnect(chunks),
        };
        _server.Enqueue(token, reply);

        var text = "";
        await using var stream = _service.GetStreamingResponseAsync([new(ChatRole.User, $"{token} where do leaks start?")], ServiceOptions)
            .GetAsyncEnumerator();
        while (text.Length < "Check the flashing".Length && await stream.MoveNextAsync())
        {
            text += stream.Current.Text;
        }

        // Released only now: a reset may discard what the client has not read yet.
        reply.Release();
        var failure = await Assert.ThrowsAsync<ChatModelException>(async () =>
        {
            while (await stream.MoveNextAsync())
            {
                text += stream.Current.Text;
            }
        });

        Assert.Equal((ErrorCodes.ModelError, "Check the flashing"), (failure.Code, text));
    }

    [Fact]
    public async Task An_event_that_is_not_json_fails_the_turn_and_keeps_the_text_before_it()
    {
        var user = Guid.NewGuid();
        var grain = fixture.Client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(user, PersonaRole.Field);
        var token = NewToken();
        _server.Enqueue(token, FakeOpenAIReply.StreamThenInvalidJson(["Check ", "the flashing"]));

        var done = await Turns.SendAsync(grain, user, $"{token} where do leaks start?");

        Assert.Equal((MessageStatus.Failed, ErrorCodes.ModelError), (done.Status, done.ErrorCode));
        Assert.NotNull(done.Message);
        Assert.Equal(
            ("Check the flashing", MessageStatus.Failed, ErrorCodes.ModelError),
            (done.Message.Content, done.Message.Status, done.Message.Metadata.ErrorCode));
    }

    public void Dispose()
    {
        _service.Dispose();
        _adapter.Dispose();
    }

    /// <summary>Whether <paramref name="move"/> moved, and on which thread it completed.</summary>
    private static async Task<(bool Moved, bool Pooled, string? Name)> ThreadThatCompletesAsync(ValueTask<bool> move)
    {
        var moved = await move.ConfigureAwait(false);
        return (moved, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
    }

    private static string NewToken() => "t" + Guid.NewGuid().ToString("N");

    private static List<(string Text, ChatFinishReason? FinishReason, string? Model, ChatRole? Role, long? InputTokens, long? OutputTokens)> Summary(
        IEnumerable<ChatResponseUpdate> updates) =>
        updates.Select(u => (
            u.Text,
            u.FinishReason,
            u.ModelId,
            u.Role,
            u.Contents.OfType<UsageContent>().SingleOrDefault()?.Details.InputTokenCount,
            u.Contents.OfType<UsageContent>().SingleOrDefault()?.Details.OutputTokenCount)).ToList();

    private static SessionMessage Message(MessageRole role, string content, FileRef? file = null) => new()
    {
        Id = Guid.NewGuid(),
        Seq = 0,
        Role = role,
        Content = content,
        CreatedAt = DateTimeOffset.UnixEpoch,
        Files = file is null ? null : [file],
    };
}

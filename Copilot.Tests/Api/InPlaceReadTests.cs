using System.Net;
using Copilot.Grains.Sessions;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api;

/// <summary>A reply is read in place on the silo that runs its turn (<see cref="LocalReplies"/>), without a poll of the
/// session grain per write; what the client receives and what is stored do not change.</summary>
public sealed class InPlaceReadTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_streamed_reply_is_read_in_place_or_by_polls_and_arrives_whole_either_way(bool inPlace)
    {
        var polls = new PollCounter();
        await using var app = await CopilotAppFactory.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Copilot:ChatModel:OfflineChunkDelay"] = "00:00:00.010",
                ["Copilot:Api:ReadRepliesInPlace"] = inPlace ? "true" : "false",
            },
            configureServices: services => services.AddSingleton<IIncomingGrainCallFilter>(polls));
        var seedUser = new CopilotClient(app.CreateClient(), Guid.NewGuid());
        var v1User = new V1Client(app.CreateClient(), Guid.NewGuid());
        var chatId = Guid.NewGuid();

        var seedSend = await seedUser.SendAsync("how long does a ridge vent last?");
        var v1Events = await v1User.SendAsync(chatId, "c-1", "what does a drip edge do?");

        Assert.Equal(HttpStatusCode.OK, seedSend.Status);
        var stored = await seedUser.LoadMessagesAsync(seedSend.SessionId);
        Assert.Equal(stored[1].GetProperty("content").GetString(), seedSend.Reply);
        var v1Text = V1Client.Text(v1Events);
        Assert.Contains(" ", v1Text, StringComparison.Ordinal);
        Assert.Equal(
            [("user", "what does a drip edge do?", "complete"), ("assistant", v1Text, "complete")],
            await v1User.HistoryAsync(chatId));
        if (inPlace)
        {
            Assert.Equal(0, polls.Count);
        }
        else
        {
            Assert.True(polls.Count >= 2, $"{polls.Count} polls of the session grain for two streamed replies");
        }

        var local = app.Services.GetRequiredService<LocalReplies>();
        await Eventually.HoldsAsync(() => Task.FromResult(local.Count == 0), "no reply is left among the running ones");
    }

    [Fact]
    public async Task A_running_reply_is_read_in_place_only_by_its_owner()
    {
        var model = new GatedChatClient();
        await using var app = await CopilotAppFactory.StartAsync(configureServices: s => s.AddSingleton<IChatClient>(model));
        var owner = new V1Client(app.CreateClient(), Guid.NewGuid());
        var other = new V1Client(app.CreateClient(), Guid.NewGuid());
        var chatId = Guid.NewGuid();
        var post = owner.PostChatAsync(V1Client.Body(chatId, "c-1", "question"));
        var reply = await model.NextReplyAsync();
        reply.Send("Only for its owner.");
        using var response = await post;
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        var seen = await reader.ReadUntilAsync(e => e.Type == "text-delta");
        var turnId = Guid.Parse(seen[0].Json.GetProperty("messageId").GetString()!);
        var local = app.Services.GetRequiredService<LocalReplies>();

        Assert.Null(local.TryRead(other.UserId, turnId, 0, TimeSpan.Zero));
        var (status, _, _) = await other.CallAsync(HttpMethod.Get, $"/v1/chat/{chatId}/stream");
        Assert.Equal(HttpStatusCode.NotFound, status);
        var read = local.TryRead(owner.UserId, turnId, 0, TimeSpan.Zero);
        Assert.NotNull(read);
        Assert.Equal("Only for its owner.", (await read).Text);

        reply.Send(" The end.");
        reply.Complete();
        var rest = await reader.ReadToEndAsync();
        Assert.Equal("Only for its owner. The end.", V1Client.Text([.. seen, .. rest]));

        // A reader between two reads when the reply ended still reads its end in place, for a while.
        var end = local.TryRead(owner.UserId, turnId, "Only for its owner.".Length, TimeSpan.Zero);
        Assert.NotNull(end);
        var ended = await end;
        Assert.Equal((" The end.", true, MessageStatus.Complete), (ended.Text, ended.Done, ended.Status));
        await Eventually.HoldsAsync(() => Task.FromResult(local.TryRead(owner.UserId, turnId, 0, TimeSpan.Zero) is null), "the stored reply is no longer read in place");
    }

    /// <summary>Counts the polls for more of a reply that reach a session grain.</summary>
    private sealed class PollCounter : IIncomingGrainCallFilter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ISessionGrain.ReadReplyAsync))
            {
                Interlocked.Increment(ref _count);
            }

            return context.Invoke();
        }
    }
}

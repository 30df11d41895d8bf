using System.Net;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Copilot.Tests.Api.V1;

/// <summary>A two-silo cluster (two whole apps on one database and cluster id): a reply started on one silo is resumed
/// through the other, as after a page reload that a load balancer sends elsewhere.</summary>
public sealed class ClusterResumeTests : IAsyncLifetime
{
    private readonly GatedChatClient _modelA = new();
    private readonly GatedChatClient _modelB = new();
    private CopilotAppFactory _siloA = null!;
    private CopilotAppFactory _siloB = null!;

    public async Task InitializeAsync() =>
        (_siloA, _siloB) = await CopilotAppFactory.StartPairAsync(
            "resume", configureServices: silo => s => s.AddSingleton<IChatClient>(silo == 0 ? _modelA : _modelB));

    public async Task DisposeAsync()
    {
        await _siloB.DisposeAsync();
        await _siloA.DisposeAsync();
    }

    [Fact]
    public async Task A_reply_started_on_one_silo_resumes_mid_reply_through_the_other()
    {
        var userId = Guid.NewGuid();
        var onA = new V1Client(_siloA.CreateClient(), userId);
        var onB = new V1Client(_siloB.CreateClient(), userId);
        var chatId = Guid.NewGuid();
        var post = onA.PostChatAsync(V1Client.Body(chatId, "c-1", "question"));
        var reply = await _modelA.NextReplyAsync();
        reply.Send("Started on A, ");
        using var original = await post;
        using var originalReader = new SseReader(await original.Content.ReadAsStreamAsync());
        var seen = await originalReader.ReadUntilAsync(e => e.Type == "text-delta");

        // A reads the reply in place; B, where the turn does not run, polls A's session grain.
        Assert.Equal((1, 0), (_siloA.Services.GetRequiredService<LocalReplies>().Count, _siloB.Services.GetRequiredService<LocalReplies>().Count));

        using var replay = await onB.ResumeAsync(chatId);
        using var replayReader = new SseReader(await replay.Content.ReadAsStreamAsync());
        var replayed = await replayReader.ReadUntilAsync(e => e.Type == "text-delta");
        using var after = await onB.ResumeAsync(chatId, seen[^1].Id);
        using var afterReader = new SseReader(await after.Content.ReadAsStreamAsync());
        reply.Send("finished through B.");
        reply.Complete();
        var replayRest = await replayReader.ReadToEndAsync();
        var afterEvents = await afterReader.ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(seen.Select(e => (e.Id, e.Data)), replayed.Select(e => (e.Id, e.Data)));
        Assert.Equal("Started on A, finished through B.", V1Client.Text([.. replayed, .. replayRest]));
        Assert.Equal(replayRest.Select(e => (e.Id, e.Data)), afterEvents.Select(e => (e.Id, e.Data)));
        Assert.Equal("complete", afterEvents[^2].Json.GetProperty("messageMetadata").GetProperty("status").GetString());
        Assert.Equal((1, 0), (_modelA.Calls, _modelB.Calls));
        Assert.Equal(
            [("user", "question", "complete"), ("assistant", "Started on A, finished through B.", "complete")],
            await onB.HistoryAsync(chatId));
    }
}

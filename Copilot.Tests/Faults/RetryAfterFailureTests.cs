using System.Net;
using Copilot.Grains;
using Copilot.Grains.ChatModel;
using Copilot.Grains.Users;
using Copilot.Silo.Database;
using Copilot.Tests.Api.V1;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.ChatModels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Copilot.Tests.Faults;

/// <summary>Once a question is stored, the send must not answer "try again" (a retry would store it twice; a lost first
/// poll: <see cref="Api.LostPollTests"/>); and where the answer did say so (a 502: the model failed), the retry it asks
/// for stores the question once and the model reads it once.</summary>
public sealed class RetryAfterFailureTests
{
    private const string Question = "how long does a ridge vent last?";

    [Fact]
    public async Task A_new_session_whose_list_write_fails_is_answered_and_listed_on_both_surfaces()
    {
        // PostgreSQL failing between the question's write and the new session's list row: the question is stored, so
        // the send goes on, and the list catches up.
        var lists = new FailingListStore();
        await using var app = await CopilotAppFactory.StartAsync(configureServices: services => services.AddSingleton<IUserSessionStore>(
            provider => lists.Wrap(ActivatorUtilities.CreateInstance<SqlUserSessionStore>(provider))));
        var seedUser = new CopilotClient(app.CreateClient(), Guid.NewGuid());
        var v1User = new V1Client(app.CreateClient(), Guid.NewGuid());
        var chatId = Guid.NewGuid();

        lists.FailNextWriteOf(seedUser.UserId);
        var seed = await seedUser.SendAsync(Question);
        lists.FailNextWriteOf(v1User.UserId);
        using var v1 = await v1User.PostChatAsync(V1Client.Body(chatId, "m-1", Question));
        var v1Body = await v1.Content.ReadAsStringAsync();

        Assert.True(lists.Failed >= 2, "both list writes failed");
        Assert.Equal(HttpStatusCode.OK, seed.Status);
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.DoesNotContain("\"type\":\"error\"", v1Body, StringComparison.Ordinal);
        await Eventually.HoldsAsync(async () => (await seedUser.ListSessionsAsync()).Length == 1, "the seed's session is listed");
        await Eventually.HoldsAsync(async () => (await v1User.GetOkAsync("/v1/sessions")).GetProperty("data").GetArrayLength() == 1, "the chat is listed");
        Assert.Equal(1, await StoredCopiesAsync(seedUser, Question));
        Assert.Equal([("user", Question, "complete"), ("assistant", OfflineReplies.For(Question, 0), "complete")], await v1User.HistoryAsync(chatId));
    }

    [Fact]
    public async Task The_seed_panels_retry_after_a_502_stores_the_question_once_and_the_model_reads_it_once()
    {
        var model = new GatedChatClient();
        await using var app = await CopilotAppFactory.StartAsync(configureServices: services => services.AddSingleton<IChatClient>(model));
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());
        var earlier = user.SendAsync("what underlayment for a 4/12 pitch?");
        var earlierReply = await model.NextReplyAsync();
        earlierReply.Send("Synthetic underlayment.");
        earlierReply.Complete();
        var sessionId = (await earlier).SessionId;

        var failed = user.SendAsync("do I need a permit to reroof?", sessionId);
        (await model.NextReplyAsync()).Fail(new ChatModelException(ErrorCodes.ModelUnavailable, "upstream 502"));
        var first = await failed;
        var retried = user.SendAsync("do I need a permit to reroof?", first.SessionIdHeader);
        var reply = await model.NextReplyAsync();
        var asked = reply.Input.Count(m => m.Role == ChatRole.User && m.Text == "do I need a permit to reroof?");
        reply.Send("Usually, yes.");
        reply.Complete();
        var retry = await retried;
        // A question asked again after a reply that did not fail is a new message, as before.
        var again = user.SendAsync("do I need a permit to reroof?", sessionId);
        var againReply = await model.NextReplyAsync();
        againReply.Send("Yes, as I said.");
        againReply.Complete();
        await again;

        Assert.Equal(HttpStatusCode.BadGateway, first.Status);
        Assert.Equal(sessionId, first.SessionIdHeader);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(1, asked);
        Assert.Equal(
            ["what underlayment for a 4/12 pitch?", "Synthetic underlayment.", "do I need a permit to reroof?", "Usually, yes.",
                "do I need a permit to reroof?", "Yes, as I said."],
            (await user.LoadMessagesAsync(sessionId)).Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task The_seed_panels_retry_of_a_first_message_that_failed_goes_to_the_session_that_stored_it()
    {
        // The start of a new session's turn is answered with an error the API cannot tell from "nothing stored" (its
        // answer lost when a silo died), and the model fails too. The panel got no session id, so it sends the same text
        // as a new chat: it must land in the session that holds the question, not store it a second time.
        var model = new GatedChatClient();
        var lost = new LostStartAnswer();
        await using var app = await CopilotAppFactory.StartAsync(configureServices: services =>
        {
            services.AddSingleton<IChatClient>(model);
            services.AddSingleton<IIncomingGrainCallFilter>(lost);
        });
        var user = new CopilotClient(app.CreateClient(), Guid.NewGuid());

        var failed = user.SendAsync("is this hail damage?");
        (await model.NextReplyAsync()).Fail(new ChatModelException(ErrorCodes.ModelUnavailable, "upstream 502"));
        var first = await failed;
        var stored = Assert.Single(await user.ListSessionsAsync()).GetProperty("id").GetGuid();
        await Eventually.HoldsAsync(async () => (await user.LoadMessagesAsync(stored)).Length == 2, "the failed reply is stored");
        var retried = user.SendAsync("is this hail damage?");
        var reply = await model.NextReplyAsync();
        reply.Send("Yes: the bruising is hail.");
        reply.Complete();
        var retry = await retried;
        // Another first message right after is a new chat, as before.
        var other = user.SendAsync("a different question");
        var otherReply = await model.NextReplyAsync();
        otherReply.Send("A different answer.");
        otherReply.Complete();
        var another = await other;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.Equal(stored, retry.SessionId);
        Assert.Equal(1, await StoredCopiesAsync(user, "is this hail damage?"));
        Assert.Equal(["is this hail damage?", "Yes: the bruising is hail."], (await user.LoadMessagesAsync(stored)).Select(m => m.GetProperty("content").GetString()));
        Assert.NotEqual(stored, another.SessionId);
    }

    private static async Task<int> StoredCopiesAsync(CopilotClient user, string text)
    {
        var copies = 0;
        foreach (var session in await user.ListSessionsAsync())
        {
            var id = Guid.Parse(session.GetProperty("id").GetString()!);
            copies += (await user.LoadMessagesAsync(id)).Count(m => m.GetProperty("content").GetString() == text);
        }

        return copies;
    }

    /// <summary>Lets the first turn start and then loses its answer, as when the silo holding the session dies just
    /// after: the caller sees an unreachable silo.</summary>
    private sealed class LostStartAnswer : IIncomingGrainCallFilter
    {
        private int _lost;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod?.Name == nameof(Copilot.Grains.Sessions.ISessionGrain.StartTurnAsync) &&
                Interlocked.Exchange(ref _lost, 1) == 0)
            {
                throw new TimeoutException("The answer was lost (injected by the test).");
            }
        }
    }

    /// <summary>The real list store, whose next write for one user fails as a write during a PostgreSQL restart does.</summary>
    private sealed class FailingListStore
    {
        private Guid _failFor;
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public void FailNextWriteOf(Guid userId) => _failFor = userId;

        public IUserSessionStore Wrap(IUserSessionStore inner) => new Store(inner, this);

        private sealed class Store(IUserSessionStore inner, FailingListStore owner) : IUserSessionStore
        {
            public Task<List<SessionSummary>> ReadAsync(Guid userId, CancellationToken cancellationToken = default) =>
                inner.ReadAsync(userId, cancellationToken);

            public Task WriteAsync(
                Guid userId, IReadOnlyCollection<SessionSummary> changed, IReadOnlyCollection<Guid> removed, CancellationToken cancellationToken = default)
            {
                if (userId != Guid.Empty && userId == owner._failFor)
                {
                    owner._failFor = Guid.Empty;
                    Interlocked.Increment(ref owner._failed);
                    throw new NpgsqlException("Exception while reading from stream (injected: PostgreSQL restarting)");
                }

                return inner.WriteAsync(userId, changed, removed, cancellationToken);
            }
        }
    }
}

using System.Net;
using System.Text.Json;
using Copilot.Tests.Fixtures;
using Copilot.Tests.Fixtures.Apps;

namespace Copilot.Tests.Api.V1;

/// <summary><c>/v1/sessions</c>: list, get, rename, delete and messages, with keyset paging.</summary>
[Collection(AppCollection.Name)]
public sealed class SessionsTests(AppFixture fixture)
{
    private const int RenameMaxChars = 80;

    private V1Client NewUser() => new(fixture.App.CreateClient(), Guid.NewGuid());

    [Fact]
    public async Task A_session_shows_its_header_and_a_rename_shows_everywhere_but_only_for_its_owner()
    {
        var (user, other) = (NewUser(), NewUser());
        var chatId = Guid.NewGuid();
        await user.SendAsync(chatId, "h-1", "Flashing   around the chimney", persona: "exec");

        var session = await user.GetOkAsync($"/v1/sessions/{chatId}");
        var renamed = await user.CallAsync(HttpMethod.Patch, $"/v1/sessions/{chatId}", new { title = "  Chimney   job  " });
        var theirs = await other.CallAsync(HttpMethod.Patch, $"/v1/sessions/{chatId}", new { title = "mine now" });

        Assert.Equal(chatId, session.GetProperty("id").GetGuid());
        Assert.Equal("Flashing around the chimney", session.GetProperty("title").GetString());
        Assert.Equal("exec", session.GetProperty("persona").GetString());
        Assert.Equal(2, session.GetProperty("message_count").GetInt64());
        Assert.False(session.GetProperty("turn_in_flight").GetBoolean());
        Assert.True(session.GetProperty("updated_at").GetDateTimeOffset() >= session.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.Equal("Chimney job", renamed.Body.GetProperty("title").GetString());
        V1Client.AssertProblem(theirs, HttpStatusCode.NotFound, "session_not_found");
        Assert.Equal("Chimney job", (await user.GetOkAsync($"/v1/sessions/{chatId}")).GetProperty("title").GetString());
        var listed = Assert.Single((await user.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray());
        Assert.Equal("Chimney job", listed.GetProperty("title").GetString());
        Assert.Empty((await other.GetOkAsync("/v1/sessions")).GetProperty("data").EnumerateArray());
    }

    [Theory]
    [InlineData("GET", "/v1/no-such-route")]
    [InlineData("POST", "/v1/sessions/not/a/route")]
    [InlineData("GET", "/v1")]
    public async Task An_unknown_v1_route_is_a_404_problem_with_a_code(string method, string path)
    {
        var answer = await NewUser().CallAsync(new HttpMethod(method), path);

        V1Client.AssertProblem(answer, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_title_is_measured_as_it_is_stored_after_its_whitespace_runs_become_one_space()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await user.SendAsync(chatId, "w-1", "original title");
        var words = string.Join(" ", Enumerable.Repeat("Elm St", 11));
        var spread = string.Join("\t   \n", Enumerable.Repeat("Elm St", 11));

        var renamed = await user.CallAsync(HttpMethod.Patch, $"/v1/sessions/{chatId}", new { title = spread });
        var tooLong = await user.CallAsync(HttpMethod.Patch, $"/v1/sessions/{chatId}", new { title = spread + " and Oak" });

        Assert.True(spread.Length > RenameMaxChars && words.Length <= RenameMaxChars);
        Assert.Equal((HttpStatusCode.OK, words), (renamed.Status, renamed.Body.GetProperty("title").GetString()));
        V1Client.AssertProblem(tooLong, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(words, (await user.GetOkAsync($"/v1/sessions/{chatId}")).GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("""{}""", "title")]
    [InlineData("""{"title":"   "}""", "title")]
    [InlineData("""{"title":7}""", "title")]
    [InlineData("""{"title":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901"}""", "title")]
    [InlineData("""not json""", "body")]
    public async Task A_bad_rename_is_a_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await user.SendAsync(chatId, "t-1", "original title");

        var answer = await user.CallAsync(HttpMethod.Patch, $"/v1/sessions/{chatId}", body);

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal("original title", (await user.GetOkAsync($"/v1/sessions/{chatId}")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Messages_page_newest_first_with_next_before_and_seed_a_chat_in_the_ui_shape()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        for (var turn = 0; turn < 3; turn++)
        {
            await user.SendAsync(chatId, $"p-{turn}", $"question {turn}");
        }

        var newest = await user.GetOkAsync($"/v1/sessions/{chatId}/messages?limit=4");
        var before = newest.GetProperty("next_before").GetInt64();
        var oldest = await user.GetOkAsync($"/v1/sessions/{chatId}/messages?limit=4&before={before}");

        Assert.Equal([5L, 4L, 3L, 2L], Seqs(newest));
        Assert.True(newest.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, before);
        Assert.Equal([1L, 0L], Seqs(oldest));
        Assert.False(oldest.GetProperty("has_more").GetBoolean());
        Assert.False(oldest.TryGetProperty("next_before", out _));
        var question = oldest.GetProperty("data")[1];
        Assert.Equal("user", question.GetProperty("role").GetString());
        Assert.Equal("""[{"type":"text","text":"question 0"}]""", question.GetProperty("parts").GetRawText());
        Assert.False(question.GetProperty("metadata").TryGetProperty("model", out _));
    }

    [Theory]
    [InlineData("/v1/sessions?limit=0", "limit")]
    [InlineData("/v1/sessions?limit=101", "limit")]
    [InlineData("/v1/sessions?limit=ten", "limit")]
    [InlineData("/v1/sessions?after=garbage", "after")]
    [InlineData("/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001/messages?limit=-1", "limit")]
    [InlineData("/v1/sessions/6f1c3d4e-0000-4000-8000-000000000001/messages?before=x", "before")]
    public async Task A_bad_query_parameter_is_a_400_naming_it(string path, string field)
    {
        var answer = await NewUser().CallAsync(HttpMethod.Get, path);

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Keyset_paging_while_sessions_are_updated_has_no_duplicates_and_no_gaps()
    {
        var user = NewUser();
        var chats = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();
        foreach (var chat in chats)
        {
            await user.SendAsync(chat, "first", "hello");
        }

        // While the list is paged, other turns keep moving sessions to the top.
        var touched = new HashSet<Guid>();
        var updated = 0;
        using var paging = new CancellationTokenSource();
        var updates = Task.Run(async () =>
        {
            for (var i = 0; !paging.IsCancellationRequested; i++)
            {
                var chat = chats[(i * 5) % chats.Count];
                lock (touched)
                {
                    touched.Add(chat);
                }

                await user.SendAsync(chat, $"update-{i}", "still here?");
                Interlocked.Increment(ref updated);
            }
        });

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await user.GetOkAsync(cursor is null ? "/v1/sessions?limit=3" : $"/v1/sessions?limit=3&after={cursor}");
            var rows = page.GetProperty("data").EnumerateArray().ToList();
            Assert.True(rows.Count <= 3);
            var keys = rows.Select(r => (r.GetProperty("updated_at").GetDateTimeOffset(), r.GetProperty("id").GetGuid())).ToList();
            Assert.Equal(keys.OrderByDescending(k => k.Item1).ThenByDescending(k => k.Item2), keys);
            seen.AddRange(keys.Select(k => k.Item2));
            cursor = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("next_cursor").GetString() : null;

            // At least one session moves between any two pages.
            var before = Volatile.Read(ref updated);
            await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref updated) > before), "another session was updated");
        }
        while (cursor is not null);

        await paging.CancelAsync();
        await updates;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(seen, id => Assert.Contains(id, chats));
        Assert.All(chats.Where(c => !touched.Contains(c)), c => Assert.Contains(c, seen));
        var all = await user.GetOkAsync("/v1/sessions?limit=100");
        Assert.Equal(chats.Order(), all.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Order());
    }

    private static List<long> Seqs(JsonElement page) =>
        [.. page.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("metadata").GetProperty("seq").GetInt64())];
}

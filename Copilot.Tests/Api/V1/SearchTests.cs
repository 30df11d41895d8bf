using System.Net;
using System.Text.Json;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Silo.Database;
using Copilot.Tests.Expiry;
using Copilot.Tests.Fixtures.Apps;
using Copilot.Tests.Fixtures.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Copilot.Tests.Api.V1;

/// <summary><c>GET /v1/search</c> and <c>GET /v1/sessions/{id}/messages?around=</c> on the real index (kept by the
/// storage write's own transaction), with session time on a fake clock.</summary>
public sealed class SearchTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private CopilotAppFactory _app = null!;

    public async Task InitializeAsync() => _app = await ExpiryApp.StartAsync(_clock, remindersOnFakeClock: false);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Words_are_stemmed_and_phrases_exclusions_and_or_are_understood()
    {
        var user = NewUser();
        var session = await StoreAsync(user, PersonaRole.Field,
            "How should the step flashing meet the chimney?",
            "Ice and water shield goes under the drip edge at the eaves.",
            "The drip edge on the rake goes over the underlayment.");
        var ids = await MessageIdsAsync(user, session);

        var stemmed = await SearchAsync(user, "flash");
        var phrase = await SearchAsync(user, "\"water shield\"");
        var excluded = await SearchAsync(user, "drip -rake");
        var either = await SearchAsync(user, "chimney or underlayment");

        var stemmedMessage = stemmed.Single(h => h.GetProperty("kind").GetString() == "message");
        Assert.Equal([Guid.Empty, ids[0]], MessageIds(stemmed).Order());
        Assert.Equal(["flashing"], MatchedTexts(stemmedMessage));
        Assert.Equal(["flashing"], MatchedTexts(stemmed.Single(h => h.GetProperty("kind").GetString() == "title")));
        Assert.Equal([ids[1]], MessageIds(phrase));
        Assert.Equal(["water", "shield"], MatchedTexts(phrase[0]));
        Assert.Equal([ids[1]], MessageIds(excluded));
        Assert.Equal([.. new[] { ids[0], ids[2], Guid.Empty }.Order()], [.. MessageIds(either).Order()]);
        Assert.All(either, hit => Assert.Equal(3, hit.GetProperty("hits_in_session").GetInt32()));
        Assert.Equal(session, stemmedMessage.GetProperty("session_id").GetGuid());
        Assert.Equal("How should the step flashing meet the chimney?", stemmedMessage.GetProperty("title").GetString());
        Assert.Equal("user", stemmedMessage.GetProperty("role").GetString());
        Assert.True(stemmedMessage.GetProperty("on_active_path").GetBoolean());
    }

    [Fact]
    public async Task Fragments_that_are_not_words_are_found_by_substring()
    {
        var user = NewUser();
        await StoreAsync(user, PersonaRole.Pm, "Status of job RG-2041 at 1420 Elm Street, please.", "Job rg-20417 is a different one.", "Side A/B of the ridge");

        var code = await SearchAsync(user, "RG-2041");
        var address = await SearchAsync(user, "\"1420 Elm\"");
        var prefix = await SearchAsync(user, "RG-204");
        var other = await SearchAsync(user, "RG-2042");
        var withWord = await SearchAsync(user, "status RG-2041 -rg-20417");
        var withoutDigit = await SearchAsync(user, "a/b");

        Assert.Equal(3, code.Count);
        Assert.All(code, hit => Assert.Equal("rg-2041", Assert.Single(MatchedTexts(hit)).ToLowerInvariant()));
        Assert.Equal(["1420 Elm"], MatchedTexts(address[0]));
        Assert.Equal(3, prefix.Count);
        Assert.Empty(other);
        Assert.Equal(2, withWord.Count);
        Assert.Equal(["Status", "RG-2041"], MatchedTexts(withWord[0]));
        Assert.Equal(["A/B"], MatchedTexts(Assert.Single(withoutDigit)));
    }

    [Fact]
    public async Task Common_words_leave_the_fragments_to_decide_and_exclusions_apply_beside_them()
    {
        var user = NewUser();
        await StoreAsync(user, PersonaRole.Pm, "Job RG-3050 needs a new rake edge.", "Job RG-3050 gutters are done.");

        // "the" is a stop word: PostgreSQL's query for it is empty, which alone would match nothing.
        var withStopWord = await SearchAsync(user, "the RG-3050");
        var withExclusion = await SearchAsync(user, "-rake RG-3050");
        var withExcludedPhrase = await SearchAsync(user, "-\"rake edge\" RG-3050");

        Assert.Equal(3, withStopWord.Count);
        Assert.Equal(["Job RG-3050 gutters are done."], withExclusion.Select(h => h.GetProperty("snippet").GetString()));
        Assert.Equal(["Job RG-3050 gutters are done."], withExcludedPhrase.Select(h => h.GetProperty("snippet").GetString()));
    }

    [Fact]
    public async Task Letters_beyond_ascii_are_found_in_either_case()
    {
        var user = NewUser();
        await StoreAsync(user, PersonaRole.Field, "The ÉMIGRÉ crew re-roofed the Peña house, job MÜLLER-7.");

        var word = await SearchAsync(user, "émigré");
        var name = await SearchAsync(user, "PEÑA");
        var fragment = await SearchAsync(user, "müller-7");

        Assert.Equal(2, word.Count);
        Assert.Equal(["ÉMIGRÉ"], MatchedTexts(word[0]));
        Assert.Equal(2, name.Count);
        Assert.Equal(2, fragment.Count);
        Assert.Equal(["MÜLLER-7"], MatchedTexts(fragment[0]));
    }

    [Fact]
    public async Task A_user_finds_only_their_own_messages()
    {
        var owner = NewUser();
        var other = NewUser();
        var mine = await StoreAsync(owner, PersonaRole.Field, "Soffit vents for the quonset roof");
        var theirs = await StoreAsync(other, PersonaRole.Field, "Soffit vents for the quonset roof");

        var ownerHits = await SearchAsync(owner, "quonset");
        var otherHits = await SearchAsync(other, "quonset");

        Assert.Equal([mine, mine], ownerHits.Select(h => h.GetProperty("session_id").GetGuid()));
        Assert.Equal([theirs, theirs], otherHits.Select(h => h.GetProperty("session_id").GetGuid()));
    }

    [Fact]
    public async Task A_deleted_or_expired_session_is_not_found_once_the_delete_is_answered()
    {
        var user = NewUser();
        var deleted = await StoreAsync(user, PersonaRole.Field, "Torch-down membrane over the garage");
        var expired = await StoreAsync(user, PersonaRole.Field, "Torch-down membrane over the porch");
        var before = await SearchAsync(user, "membrane");

        var (status, _, _) = await user.CallAsync(HttpMethod.Delete, $"/v1/sessions/{deleted}");
        var afterDelete = await SearchAsync(user, "membrane");
        _clock.Advance(TimeSpan.FromDays(400));
        var wasExpired = await Grains.GetGrain<ISessionGrain>(expired).ExpireIfIdleAsync();
        var afterExpiry = await SearchAsync(user, "membrane");

        Assert.Equal(4, before.Count);
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal([expired, expired], afterDelete.Select(h => h.GetProperty("session_id").GetGuid()));
        Assert.True(wasExpired);
        Assert.Empty(afterExpiry);
        Assert.Empty(await Sql.ColumnAsync<Guid>("SELECT message_id FROM copilot_search WHERE session_id = @id", deleted));
        Assert.Empty(await Sql.ColumnAsync<Guid>("SELECT message_id FROM copilot_search WHERE session_id = @id", expired));
    }

    [Fact]
    public async Task Pages_list_every_hit_once_best_first()
    {
        var user = NewUser();
        var texts = Enumerable.Range(1, 9).Select(i => string.Join(' ', Enumerable.Repeat("gutter", i)) + $" note {i}").ToArray();
        await StoreAsync(user, PersonaRole.Exec, texts);
        await StoreAsync(user, PersonaRole.Exec, "One more gutter question");

        var seen = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await user.GetOkAsync($"/v1/search?q=gutters&limit=4{(cursor is null ? "" : "&after=" + cursor)}");
            seen.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
            Assert.Equal(cursor is not null, page.GetProperty("has_more").GetBoolean());
            pages++;
        }
        while (cursor is not null);

        var keys = seen.Select(h => h.GetProperty("session_id").GetGuid()).Zip(MessageIds(seen)).ToList();
        Assert.Equal(12, keys.Count);
        Assert.Equal(12, keys.Distinct().Count());
        Assert.Equal(3, pages);
        Assert.StartsWith("gutter gutter gutter gutter gutter gutter gutter gutter gutter", seen[0].GetProperty("snippet").GetString());
    }

    [Fact]
    public async Task Around_opens_the_conversation_at_a_message_with_cursors_both_ways()
    {
        var user = NewUser();
        var session = await StoreAsync(user, PersonaRole.Field, [.. Enumerable.Range(0, 30).Select(i => $"message number {i}")]);
        var ids = await MessageIdsAsync(user, session);

        var around = await user.GetOkAsync($"/v1/sessions/{session}/messages?around={ids[15]}&limit=10");
        var newer = await user.GetOkAsync($"/v1/sessions/{session}/messages?after={around.GetProperty("next_after").GetInt64()}&limit=10");
        var older = await user.GetOkAsync($"/v1/sessions/{session}/messages?before={around.GetProperty("next_before").GetInt64()}&limit=10");
        var atStart = await user.GetOkAsync($"/v1/sessions/{session}/messages?around={ids[1]}&limit=10");
        var unknown = await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{session}/messages?around={Guid.NewGuid()}");
        var both = await user.CallAsync(HttpMethod.Get, $"/v1/sessions/{session}/messages?around={ids[1]}&before=3");

        Assert.Equal(Enumerable.Reverse(ids[11..21]), Ids(around));
        Assert.Equal(Enumerable.Reverse(ids[21..30]), Ids(newer));
        Assert.False(newer.TryGetProperty("next_after", out _));
        Assert.Equal(Enumerable.Reverse(ids[1..11]), Ids(older));
        Assert.Equal(Enumerable.Reverse(ids[0..10]), Ids(atStart));
        Assert.False(atStart.GetProperty("has_more").GetBoolean());
        V1Client.AssertProblem(unknown, HttpStatusCode.NotFound, "message_not_found");
        V1Client.AssertProblem(both, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Stopped_and_failed_replies_are_found_with_their_stored_text()
    {
        var user = NewUser();
        var session = Grains.GetGrain<ISessionGrain>(Guid.NewGuid());
        await session.CreateAsync(user.UserId, PersonaRole.Field);
        await session.AppendAsync(user.UserId,
        [
            new NewMessage(MessageRole.User, "Explain cricket saddles"),
            new NewMessage(MessageRole.Assistant, "A cricket diverts water around the") { Status = MessageStatus.Stopped },
            new NewMessage(MessageRole.User, "And parapet scuppers?"),
            new NewMessage(MessageRole.Assistant, "Scuppers drain the") { Status = MessageStatus.Failed },
        ]);

        var diverts = await SearchAsync(user, "diverts");
        var drain = await SearchAsync(user, "drain");

        Assert.Equal("assistant", Assert.Single(diverts).GetProperty("role").GetString());
        Assert.Equal("Scuppers drain the", Assert.Single(drain).GetProperty("snippet").GetString());
    }

    [Fact]
    public async Task Persona_and_dates_narrow_the_hits()
    {
        var user = NewUser();
        var start = _clock.GetUtcNow();
        var early = await StoreAsync(user, PersonaRole.Pm, "Warranty terms for the shingle order");
        _clock.Advance(TimeSpan.FromDays(2));
        var late = await StoreAsync(user, PersonaRole.Exec, "Warranty claims this quarter");
        var middle = Uri.EscapeDataString((start + TimeSpan.FromDays(1)).ToString("O"));

        var pm = await SearchAsync(user, "warranty", "&persona=pm");
        var fromMiddle = await SearchAsync(user, "warranty", $"&from={middle}");
        var toMiddle = await SearchAsync(user, "warranty", $"&to={middle}");

        Assert.All(pm, h => Assert.Equal(early, h.GetProperty("session_id").GetGuid()));
        Assert.Equal(2, pm.Count);
        Assert.All(fromMiddle, h => Assert.Equal(late, h.GetProperty("session_id").GetGuid()));
        Assert.Equal(2, fromMiddle.Count);
        Assert.All(toMiddle, h => Assert.Equal(early, h.GetProperty("session_id").GetGuid()));
        Assert.Equal(2, toMiddle.Count);
    }

    [Fact]
    public async Task A_message_on_an_inactive_branch_is_found_and_says_so()
    {
        var user = NewUser();
        var chatId = Guid.NewGuid();
        await user.SendAsync(chatId, "k-1", "Zanzibar ridge vent question");
        await user.SendAsync(chatId, "k-1", "Zanzibar hip vent question");

        var hits = await SearchAsync(user, "zanzibar vent");
        var messages = hits.Where(h => h.TryGetProperty("role", out var role) && role.GetString() == "user").ToList();

        Assert.Equal(2, messages.Count);
        Assert.Equal([false, true], messages.Select(h => h.GetProperty("on_active_path").GetBoolean()).Order());
        Assert.Contains("ridge", messages.Single(h => !h.GetProperty("on_active_path").GetBoolean()).GetProperty("snippet").GetString());
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=-roof", "q")]
    [InlineData("q=-%22water%20shield%22", "q")]
    [InlineData("q=the%20-rake", "q")]
    [InlineData("q=the", "q")]
    [InlineData("q=roof%20or%20-rake", "q")]
    [InlineData("q=ab%00c", "q")]
    [InlineData("q=RG-2041%00", "q")]
    [InlineData("q=roof&limit=0", "limit")]
    [InlineData("q=roof&limit=51", "limit")]
    [InlineData("q=roof&after=not-a-cursor", "after")]
    [InlineData("q=roof&persona=admin", "persona")]
    [InlineData("q=roof&from=yesterday", "from")]
    public async Task A_bad_query_is_a_400_naming_the_parameter(string query, string field)
    {
        var answer = await NewUser().CallAsync(HttpMethod.Get, $"/v1/search?{query}");

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task An_over_long_query_is_a_400()
    {
        var answer = await NewUser().CallAsync(HttpMethod.Get, $"/v1/search?q={new string('a', 201)}");

        V1Client.AssertProblem(answer, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_segment_and_its_index_rows_commit_together_or_not_at_all()
    {
        var user = NewUser();
        var session = await StoreAsync(user, PersonaRole.Field, "Index atomicity probe");
        var messageId = Guid.NewGuid();
        var dataSource = await TestDatabase.GetDataSourceAsync();
        var killed = await dataSource.OpenConnectionAsync();
        await using (var transaction = await killed.BeginTransactionAsync())
        {
            await Sql.WriteSegmentAsync(killed, "search-tests", session, 0, messageId, "Kestrel parapet coping");
            Assert.Single(await IndexedAsync(killed, messageId));
            await using var other = await dataSource.OpenConnectionAsync();
            Assert.Empty(await IndexedAsync(other, messageId));

            // The server process of the writing connection dies before its commit, as with a crashed PostgreSQL.
            await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({killed.ProcessID})", other);
            await kill.ExecuteScalarAsync();
        }

        await killed.DisposeAsync();
        var afterKill = await SearchAsync(user, "kestrel");
        await using (var again = await dataSource.OpenConnectionAsync())
        {
            await Sql.WriteSegmentAsync(again, "search-tests", session, 0, messageId, "Kestrel parapet coping");
        }

        var afterCommit = await SearchAsync(user, "kestrel");

        Assert.Empty(afterKill);
        Assert.Equal([messageId], MessageIds(afterCommit));
    }

    [Fact]
    public async Task The_rebuild_indexes_every_stored_message_again_sealed_pages_included()
    {
        // On a database of its own: the rebuild locks the whole index and re-reads every stored session, on the shared
        // database every test class's, whose storage writes would wait for it.
        await using var app = new CopilotAppFactory(await TestDatabase.CreateEmptyDatabaseAsync());
        app.StartServer();
        var database = app.Services.GetRequiredService<CopilotDatabase>();
        var user = new V1Client(app.CreateClient(), Guid.NewGuid());
        var session = await StoreAsync(
            app.Services.GetRequiredService<IGrainFactory>(), user, PersonaRole.Field,
            [.. Enumerable.Range(0, 130).Select(i => $"rebuild probe line {i}")]);
        const string Indexed = "SELECT count(*) FROM copilot_search WHERE session_id = @id";
        var indexed = await Sql.ColumnAsync<long>(database.DataSource, Indexed, session);
        await Sql.ColumnAsync<long>(database.DataSource, "DELETE FROM copilot_search WHERE session_id = @id RETURNING 1::bigint", session);

        var count = await database.RebuildSearchIndexAsync();
        var rebuilt = await Sql.ColumnAsync<long>(database.DataSource, Indexed, session);

        Assert.Equal([131L], indexed);
        Assert.Equal(131, count);
        Assert.Equal([131L], rebuilt);
        Assert.Equal(11, (await SearchAsync(user, "probe", "&limit=11")).Count);
    }

    private IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    private V1Client NewUser() => new(_app.CreateClient(), Guid.NewGuid());

    /// <summary>A new session of <paramref name="user"/> holding <paramref name="texts"/>, alternating user and assistant
    /// messages from a user message (the session's title); returns its id.</summary>
    private Task<Guid> StoreAsync(V1Client user, PersonaRole persona, params string[] texts) =>
        StoreAsync(Grains, user, persona, texts);

    private static async Task<Guid> StoreAsync(IGrainFactory grains, V1Client user, PersonaRole persona, params string[] texts)
    {
        var sessionId = Guid.NewGuid();
        var session = grains.GetGrain<ISessionGrain>(sessionId);
        await session.CreateAsync(user.UserId, persona);
        foreach (var batch in texts.Select((text, i) => new NewMessage(i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, text)).Chunk(50))
        {
            await session.AppendAsync(user.UserId, batch);
        }

        return sessionId;
    }

    private async Task<Guid[]> MessageIdsAsync(V1Client user, Guid session) =>
        [.. Enumerable.Reverse(Ids(await user.GetOkAsync($"/v1/sessions/{session}/messages?limit=100")))];

    private static async Task<List<JsonElement>> SearchAsync(V1Client user, string q, string extra = "") =>
        [.. (await user.GetOkAsync($"/v1/search?q={Uri.EscapeDataString(q)}{extra}")).GetProperty("data").EnumerateArray()];

    private static Guid[] Ids(JsonElement page) => [.. page.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetGuid())];

    private static List<Guid> MessageIds(List<JsonElement> hits) =>
        [.. hits.Select(h => h.TryGetProperty("message_id", out var id) ? id.GetGuid() : Guid.Empty)];

    private static List<string> MatchedTexts(JsonElement hit)
    {
        var snippet = hit.GetProperty("snippet").GetString()!;
        return [.. hit.GetProperty("matches").EnumerateArray()
            .Select(m => snippet.Substring(m.GetProperty("start").GetInt32(), m.GetProperty("length").GetInt32()))];
    }

    private static async Task<List<Guid>> IndexedAsync(NpgsqlConnection connection, Guid messageId)
    {
        await using var command = new NpgsqlCommand("SELECT message_id FROM copilot_search WHERE message_id = @id", connection);
        command.Parameters.AddWithValue("id", messageId);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}

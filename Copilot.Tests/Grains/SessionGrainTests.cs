using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Users;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class SessionGrainTests(ClusterFixture fixture)
{
    private readonly IClusterClient _client = fixture.Client;

    [Fact]
    public async Task Create_then_read_returns_the_header_to_its_owner()
    {
        var (user, sessionId) = (Guid.NewGuid(), Guid.NewGuid());
        var grain = _client.GetGrain<ISessionGrain>(sessionId);

        var created = await grain.CreateAsync(user, PersonaRole.Pm);
        var info = await grain.GetInfoAsync(user);

        Assert.NotNull(info);
        Assert.Equal(sessionId, info.Id);
        Assert.Equal(user, info.OwnerId);
        Assert.Equal(PersonaRole.Pm, info.Role);
        Assert.Equal(0, info.MessageCount);
        Assert.Equal(created, info);
    }

    [Fact]
    public async Task Appended_messages_get_uuid_ids_and_dense_sequence_numbers()
    {
        var (user, grain) = await NewSessionAsync();

        var first = await grain.AppendAsync(user, [new NewMessage(MessageRole.User, "one"), new NewMessage(MessageRole.Assistant, "two")]);
        var second = await grain.AppendAsync(user, [new NewMessage(MessageRole.User, "three")]);

        var all = await grain.GetAllMessagesAsync(user);
        Assert.NotNull(all);
        Assert.Equal(["one", "two", "three"], all.Select(m => m.Content));
        Assert.Equal([0L, 1L, 2L], all.Select(m => m.Seq));
        Assert.Equal(3, all.Select(m => m.Id).Distinct().Count());
        Assert.DoesNotContain(Guid.Empty, all.Select(m => m.Id));
        Assert.Equal(first.Concat(second), all);
    }

    [Fact]
    public async Task A_thousand_message_session_reads_back_in_order_with_one_row_per_page_plus_header()
    {
        var (user, grain) = await NewSessionAsync();
        var sessionId = grain.GetPrimaryKey();

        // Varied sizes so that both page bounds (50 messages, 16 KiB) take turns sealing pages.
        for (var i = 0; i < 1000; i++)
        {
            var content = $"message {i} " + new string((char)('a' + (i % 26)), (i * 37) % 700);
            await grain.AppendAsync(user, [new NewMessage(i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, content)]);
        }

        var all = await grain.GetAllMessagesAsync(user);
        Assert.NotNull(all);
        Assert.Equal(1000, all.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.All(all, m => Assert.StartsWith($"message {m.Seq} ", m.Content));

        var sizes = await Sql.SessionRowSizesAsync(sessionId);
        var sealedPages = (await Sql.ColumnAsync<int>(
            """
            SELECT (convert_from(payloadbinary, 'UTF8')::jsonb ->> 'sealed_page_count')::int
            FROM orleansstorage
            WHERE graintypestring = 'copilotsession' AND convert_from(payloadbinary, 'UTF8')::jsonb ->> 'id' = @id::text
            """,
            sessionId)).Single();
        Assert.True(sealedPages >= 20, $"expected at least 1000/50 sealed pages, found {sealedPages}");
        Assert.Equal(sealedPages + 1, sizes.Count);
        Assert.Equal(sealedPages + 1, await Sql.SessionRowCountAsync(sessionId));
        Assert.All(sizes, size => Assert.True(size <= 16384, $"a stored row of {size} bytes exceeds the 16 KiB page bound"));

        // Paging newest-first walks the same messages back across page boundaries.
        var walked = new List<SessionMessage>();
        long? before = null;
        do
        {
            var page = await grain.GetMessagesAsync(user, before, 37);
            Assert.NotNull(page);
            walked.AddRange(page.Messages);
            before = page.NextBeforeSeq;
        }
        while (before is not null);

        Assert.Equal(all.Reverse(), walked);
    }

    [Fact]
    public async Task Fifty_concurrent_appends_are_all_stored_with_dense_unique_sequence_numbers()
    {
        var (user, grain) = await NewSessionAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => grain.AppendAsync(user, [new NewMessage(MessageRole.User, $"concurrent {i}")])));

        var all = await grain.GetAllMessagesAsync(user);
        Assert.NotNull(all);
        Assert.Equal(50, all.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Equal(
            Enumerable.Range(0, 50).Select(i => $"concurrent {i}").Order(),
            all.Select(m => m.Content).Order());
        Assert.Equal(50, all.Select(m => m.Id).Distinct().Count());
        Assert.Equal(results.SelectMany(r => r).OrderBy(m => m.Seq), all);
    }

    [Fact]
    public async Task Another_users_session_looks_exactly_like_one_that_does_not_exist()
    {
        var (owner, grain) = await NewSessionAsync();
        await grain.AppendAsync(owner, [new NewMessage(MessageRole.User, "private roof notes")]);
        var intruder = Guid.NewGuid();
        var nowhere = _client.GetGrain<ISessionGrain>(Guid.NewGuid());

        Assert.Null(await grain.GetInfoAsync(intruder));
        Assert.Null(await grain.GetAllMessagesAsync(intruder));
        Assert.Null(await grain.GetMessagesAsync(intruder, null, 10));
        var appendToOther = await Assert.ThrowsAsync<SessionNotFoundException>(
            () => grain.AppendAsync(intruder, [new NewMessage(MessageRole.User, "sneaky")]));
        var createOther = await Assert.ThrowsAsync<SessionNotFoundException>(() => grain.CreateAsync(intruder, PersonaRole.Field));

        Assert.Null(await nowhere.GetInfoAsync(intruder));
        Assert.Null(await nowhere.GetAllMessagesAsync(intruder));
        var appendToNothing = await Assert.ThrowsAsync<SessionNotFoundException>(
            () => nowhere.AppendAsync(intruder, [new NewMessage(MessageRole.User, "sneaky")]));
        Assert.Equal(appendToNothing.Message, appendToOther.Message);
        Assert.Equal(appendToNothing.Message, createOther.Message);

        var intruderIndex = await _client.GetGrain<IUserSessionsGrain>(intruder).ListAsync(10);
        Assert.Empty(intruderIndex.Sessions);
        var ownerMessages = await grain.GetAllMessagesAsync(owner);
        Assert.Equal(["private roof notes"], ownerMessages!.Select(m => m.Content));
    }

    [Fact]
    public async Task The_user_index_lists_sessions_most_recently_updated_first_with_paging()
    {
        var user = Guid.NewGuid();
        var sessions = new List<ISessionGrain>();
        for (var i = 0; i < 7; i++)
        {
            var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
            await grain.CreateAsync(user, PersonaRole.Field);
            await grain.AppendAsync(user, [new NewMessage(MessageRole.User, $"session {i}")]);
            sessions.Add(grain);
        }

        // Touch the oldest one: it moves to the top.
        await sessions[0].AppendAsync(user, [new NewMessage(MessageRole.User, "again")]);
        var expected = new[] { sessions[0] }.Concat(Enumerable.Reverse(sessions.Skip(1))).Select(g => g.GetPrimaryKey()).ToList();

        var index = _client.GetGrain<IUserSessionsGrain>(user);
        var listed = new List<SessionSummary>();
        SessionListCursor? cursor = null;
        var pageCount = 0;
        do
        {
            var page = await index.ListAsync(3, cursor);
            Assert.Equal(7, page.Total);
            Assert.True(page.Sessions.Count <= 3);
            listed.AddRange(page.Sessions);
            cursor = page.Next;
            pageCount++;
        }
        while (cursor is not null);

        Assert.Equal(3, pageCount);
        Assert.Equal(expected, listed.Select(s => s.Id));
        Assert.Equal("session 0", listed[0].Title);
        Assert.Equal(2, listed[0].MessageCount);
    }

    private async Task<(Guid User, ISessionGrain Grain)> NewSessionAsync()
    {
        var user = Guid.NewGuid();
        var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(user, PersonaRole.Field);
        return (user, grain);
    }
}

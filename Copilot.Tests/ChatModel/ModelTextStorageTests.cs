using Copilot.Grains;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Tests.Fixtures.ChatModels;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.ChatModel;

/// <summary>Whatever text an OpenAI-compatible model streams, what is stored is storable, is what was streamed, and
/// the seed-shaped SQL views read every column of its rows.</summary>
public sealed class ModelTextStorageTests(OpenAIClusterFixture fixture) : IClassFixture<OpenAIClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;
    private readonly FakeOpenAIServer _server = fixture.Server;

    // Chosen by name: as theory data, a lone surrogate would reach the test as U+FFFD (the runner serializes its cases).
    // The OpenAI client refuses a chunk whose JSON escapes an unpaired surrogate (System.Text.Json will not decode it),
    // so through this provider such a stream ends as failed with what arrived before that chunk: here nothing. The
    // repair of such text, split pairs across chunks included, for a provider that delivers it is in StoredTextTests.
    private static readonly Dictionary<string, (string[] Chunks, MessageStatus Status, string Expected)> Replies = new(StringComparer.Ordinal)
    {
        // NUL inside a chunk and as a chunk of its own: stored, and streamed, as U+FFFD.
        ["nul"] = (["a\0b", "\0", " end"], MessageStatus.Complete, "a\uFFFDb\uFFFD end"),

        // An emoji whose surrogate pair is split across two chunks' JSON escapes.
        ["split-pair"] = (["smile \ud83d", "\ude00 done"], MessageStatus.Failed, ""),

        // A lone surrogate, high or low, in the middle of a chunk.
        ["lone"] = (["x\ud83dy", "z\ude00w"], MessageStatus.Failed, ""),

        // A high surrogate ending the stream has no low half.
        ["dangling-high"] = (["last \ud83d"], MessageStatus.Failed, ""),
    };

    [Theory]
    [InlineData("nul")]
    [InlineData("split-pair")]
    [InlineData("lone")]
    [InlineData("dangling-high")]
    public async Task Model_text_is_stored_as_streamed_with_replacement_characters_and_both_views_read_its_rows(string reply)
    {
        var (chunks, status, expected) = Replies[reply];
        var user = Guid.NewGuid();
        var grain = _client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(user, PersonaRole.Field);
        var token = "t" + Guid.NewGuid().ToString("N");
        _server.Enqueue(token, FakeOpenAIReply.Stream(chunks));

        var started = await grain.StartTurnAsync(user, new TurnRequest { Content = $"{token} say something odd" });
        var reads = await Turns.ReadToEndAsync(grain, user, started.TurnId);

        var streamed = string.Concat(reads.Select(r => r.Text));
        var stored = reads[^1].Message!;
        Assert.Equal((status, expected), (stored.Status, streamed));
        Assert.Equal(streamed, stored.Content);
        Assert.All(reads, r => Assert.True(StoredText.IsStorable(r.Text)));

        var dataSource = await TestDatabase.GetDataSourceAsync();
        await SessionViews.AssertMatchGrainAsync(dataSource, grain, user);
        var messageCount = (await grain.GetAllMessagesAsync(user))!.Count;
        foreach (var (view, key, rows) in new[] { ("copilot_sessions", "id", 1), ("copilot_messages", "session_id", messageCount) })
        {
            // Every column of every row of this session: a row's text that broke a view would break it for every reader.
            // (Only this session's rows: the shared database holds every other test's, and reading them all took minutes.)
            await using var all = dataSource.CreateCommand($"SELECT * FROM {view} WHERE {key} = @id");
            all.Parameters.AddWithValue("id", grain.GetPrimaryKey());
            await using var reader = await all.ExecuteReaderAsync();
            var read = 0;
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                read++;
            }

            Assert.True(read == rows, $"{view}: {read} rows read, {rows} expected");
        }
    }
}

using System.Text.Json;
using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Storage;
using Copilot.Tests.Fixtures.Clusters;
using Copilot.Tests.Fixtures.Postgres;

namespace Copilot.Tests.Database;

[Collection(ClusterCollection.Name)]
public sealed class ViewTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_sql_views_return_exactly_what_the_grains_return()
    {
        var user = Guid.NewGuid();
        var sessionIds = new[] { Guid.NewGuid(), Guid.NewGuid() };
        for (var s = 0; s < sessionIds.Length; s++)
        {
            var grain = fixture.Client.GetGrain<ISessionGrain>(sessionIds[s]);
            await grain.CreateAsync(user, s == 0 ? PersonaRole.Field : PersonaRole.Pm);
            var count = s == 0 ? 130 : 3; // the first spans sealed pages
            for (var i = 0; i < count; i++)
            {
                await grain.AppendAsync(user, [
                    new NewMessage(i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, $"s{s} m{i} ünïcødé \"quoted\"")
                    {
                        Status = i == 1 ? MessageStatus.Failed : MessageStatus.Complete,
                        Metadata = i == 1 ? new MessageMetadata { Model = "m", ErrorCode = "model_unavailable" } : MessageMetadata.None,
                    },
                ]);
            }

            // Turns too: their segments carry the in-flight marker and the reply's usage.
            var started = await grain.StartTurnAsync(user, new TurnRequest { Content = $"s{s} a turn", ClientMessageId = $"c-{s}" });
            await Turns.ReadToEndAsync(grain, user, started.TurnId);

            // And branches: a regenerated reply and an edited question are siblings, each with its parent in metadata.
            var regenerated = await grain.StartTurnAsync(user, new TurnRequest { Content = $"s{s} a turn", ClientMessageId = $"c-{s}", Regenerate = true });
            await Turns.ReadToEndAsync(grain, user, regenerated.TurnId);
            var edited = await grain.StartTurnAsync(user, new TurnRequest { Content = $"s{s} an edit", ClientMessageId = $"c-{s}" });
            await Turns.ReadToEndAsync(grain, user, edited.TurnId);
        }

        var dataSource = await TestDatabase.GetDataSourceAsync();
        foreach (var sessionId in sessionIds)
        {
            await SessionViews.AssertMatchGrainAsync(dataSource, fixture.Client.GetGrain<ISessionGrain>(sessionId), user);
        }
    }

    [Fact]
    public async Task The_views_ignore_segments_already_folded_into_a_page()
    {
        var user = Guid.NewGuid();
        var grain = fixture.Client.GetGrain<ISessionGrain>(Guid.NewGuid());
        await grain.CreateAsync(user, PersonaRole.Field);
        for (var i = 0; i < 60; i++)
        {
            await grain.AppendAsync(user, [new NewMessage(MessageRole.User, $"m{i}")]);
        }

        // A folded segment whose delete failed stays behind: put one back as such a leftover would be.
        var dataSource = await TestDatabase.GetDataSourceAsync();
        await using (var command = dataSource.CreateCommand(
            """
            INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                                        grainidextensionstring, serviceid, payloadbinary, version)
            SELECT grainidhash + 1, grainidn0, grainidn1, graintypehash, 'copilotsegment', '0', serviceid,
                   convert_to(@segment, 'UTF8'), 1
            FROM orleansstorage
            WHERE graintypestring = 'copilotsession' AND grainidn0 = @n0 AND grainidn1 = @n1
            """))
        {
            var first = (await grain.GetMessagesAsync(user, 1, 1))!.Messages[0];
            var (n0, n1) = Sql.GuidHalves(grain.GetPrimaryKey());
            command.Parameters.AddWithValue("n0", n0);
            command.Parameters.AddWithValue("n1", n1);
            command.Parameters.AddWithValue("segment", JsonSerializer.Serialize(
                new SessionSegment { SessionId = grain.GetPrimaryKey(), SegmentNumber = 0, Messages = [first] },
                Copilot.Grains.CopilotStorage.JsonOptions));
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        Assert.True(await Sql.SegmentRowCountAsync(grain.GetPrimaryKey()) > 1);
        await SessionViews.AssertMatchGrainAsync(dataSource, grain, user);
    }
}

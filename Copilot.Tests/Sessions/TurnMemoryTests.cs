using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Storage;
using Copilot.Grains.Sessions.Turns;

namespace Copilot.Tests.Sessions;

public sealed class TurnMemoryTests
{
    [Fact]
    public void Stored_segments_teach_it_the_turn_of_a_client_message_id_and_where_its_reply_is()
    {
        var memory = new TurnMemory(capacity: 16);
        var (turnId, userId) = (Guid.NewGuid(), Guid.NewGuid());
        memory.Observe(new SessionSegment
        {
            SegmentNumber = 7,
            Messages = [Message(userId, 40, new MessageMetadata { ClientMessageId = "c-1" })],
            InFlight = new InFlightTurn { TurnId = turnId, UserMessageId = userId, StartedAt = DateTimeOffset.UnixEpoch },
        });

        var started = memory.Find("c-1");
        Assert.NotNull(started);
        Assert.Equal((turnId, userId, 40L, (long?)null), (started.TurnId, started.UserMessageId, started.UserMessageSeq, started.ReplySeq));

        memory.Observe(new SessionSegment { SegmentNumber = 8, Messages = [Message(turnId, 41, MessageMetadata.None)] });
        Assert.Equal(41, memory.FindTurn(turnId)!.ReplySeq);
        Assert.Null(memory.Find("c-2"));
    }

    [Fact]
    public void It_keeps_only_the_newest_turns_and_a_repeated_id_replaces_its_older_entry()
    {
        var memory = new TurnMemory(capacity: 3);
        for (var i = 0; i < 5; i++)
        {
            memory.Remember(Turn($"c-{i}", i));
        }

        memory.Remember(Turn("c-3", 99));

        Assert.Equal(["c-2", "c-4", "c-3"], memory.Snapshot().Select(t => t.ClientMessageId));
        Assert.Equal(99, memory.Find("c-3")!.UserMessageSeq);
        Assert.Null(memory.Find("c-0"));
    }

    private static RecentTurn Turn(string clientId, long seq) =>
        new() { ClientMessageId = clientId, TurnId = Guid.NewGuid(), UserMessageId = Guid.NewGuid(), UserMessageSeq = seq };

    private static SessionMessage Message(Guid id, long seq, MessageMetadata metadata) => new()
    {
        Id = id,
        Seq = seq,
        Role = MessageRole.User,
        Content = "x",
        CreatedAt = DateTimeOffset.UnixEpoch,
        Metadata = metadata,
    };
}

using Copilot.Grains.Personas;
using Copilot.Grains.Sessions;
using Copilot.Grains.Sessions.Turns;
using Microsoft.Extensions.AI;

namespace Copilot.Tests.Sessions;

public sealed class ContextWindowTests
{
    [Fact]
    public async Task The_input_is_the_persona_prompt_then_the_newest_history_within_budget_oldest_first()
    {
        // Newest first, as the history yields them; the newest is the new user message.
        var newestFirst = new[]
        {
            Message(MessageRole.User, "new question"),
            Message(MessageRole.Assistant, ""),
            Message(MessageRole.System, "a system note"),
            Message(MessageRole.Assistant, "answer two"),
            Message(MessageRole.User, "question two"),
            Message(MessageRole.Assistant, "answer one that is far too long for the budget"),
        };

        var input = await ContextWindow.BuildAsync(PersonaRole.Pm, newestFirst.ToAsyncEnumerable(), maxMessages: 10, budgetChars: 40);

        Assert.Equal(ChatRole.System, input[0].Role);
        Assert.Equal(Personas.SystemPrompt(PersonaRole.Pm), input[0].Text);
        Assert.Equal(["question two", "answer two", "new question"], input.Skip(1).Select(m => m.Text));
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User], input.Skip(1).Select(m => m.Role));
        Assert.Single(input, m => m.Text == "new question");
    }

    [Fact]
    public async Task The_new_message_is_sent_even_when_it_alone_exceeds_the_budget_and_the_count_bound_holds()
    {
        var huge = Message(MessageRole.User, new string('q', 100));
        var only = await ContextWindow.BuildAsync(PersonaRole.Field, new[] { huge, Message(MessageRole.Assistant, "a") }.ToAsyncEnumerable(), 10, 10);
        Assert.Equal([ChatRole.System, ChatRole.User], only.Select(m => m.Role));

        var many = Enumerable.Range(0, 10).Select(i => Message(MessageRole.User, $"m{i}")).ToAsyncEnumerable();
        var bounded = await ContextWindow.BuildAsync(PersonaRole.Field, many, maxMessages: 3, budgetChars: 1000);
        Assert.Equal(["m2", "m1", "m0"], bounded.Skip(1).Select(m => m.Text));
    }

    private static SessionMessage Message(MessageRole role, string content) => new()
    {
        Id = Guid.NewGuid(),
        Seq = 0,
        Role = role,
        Content = content,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };
}

using Copilot.Grains.ChatModel;
using Copilot.Silo;
using Copilot.Testing.ChatModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

// The service exactly as Copilot.Silo runs it; with Bench:ReplyChars set, the offline model streams prose of about
// that many characters instead of its short reply, through the same client (chunks, chunk delay, usage).
return await SiloHost.RunAsync(args, builder =>
{
    if (builder.Configuration.GetValue<int?>(ProseReplies.ReplyCharsKey) is { } chars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chars, ProseReplies.MinChars, ProseReplies.ReplyCharsKey);
        builder.Services.AddSingleton<IChatClient>(services => new OfflineChatClient(
            services.GetRequiredService<IOptions<ChatModelOptions>>(),
            (question, priorTurns) => ProseReplies.Compose(question, priorTurns, chars)));
    }
});

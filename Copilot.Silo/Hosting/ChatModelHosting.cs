using System.ClientModel;
using System.ClientModel.Primitives;
using Copilot.Api;
using Copilot.Grains.ChatModel;
using Copilot.Silo.ChatModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Copilot.Silo.Hosting;

/// <summary>Registers the <see cref="IChatClient"/> the session grains talk to.</summary>
public static class ChatModelHosting
{
    /// <summary>Binds <c>Copilot:ChatModel</c> and registers the offline responder or the OpenAI client it names.</summary>
    public static IServiceCollection AddCopilotChatModel(this IServiceCollection services)
    {
        services.AddOptions<ChatModelOptions>()
            .BindConfiguration(ChatModelOptions.SectionName)
            .ValidateSettings(ChatModelOptions.SectionName)
            .Validate(
                o => o.EffectiveProvider != ChatModelProvider.OpenAI || !string.IsNullOrWhiteSpace(o.ApiKey),
                "Copilot:ChatModel:ApiKey is required when Copilot:ChatModel:Provider is OpenAI.")
            .Validate(
                o => o.EffectiveProvider != ChatModelProvider.OpenAI || !string.IsNullOrWhiteSpace(o.Model),
                "Copilot:ChatModel:Model is required when Copilot:ChatModel:Provider is OpenAI (e.g. gpt-4o-mini).")
            .Validate(o => o.Timeout > TimeSpan.Zero, "Copilot:ChatModel:Timeout must be positive.")
            .Validate(o => o.OfflineChunkDelay >= TimeSpan.Zero, "Copilot:ChatModel:OfflineChunkDelay must not be negative.")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "Copilot:ChatModel:MaxRetries must be between 0 and 10.")
            .Validate(o => o.MaxRetryWait >= TimeSpan.Zero, "Copilot:ChatModel:MaxRetryWait must not be negative.")
            .ValidateOnStart();
        // TryAdd: a host that registered its own chat client (a test's gated model) keeps it.
        services.TryAddSingleton<IChatClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ChatModelOptions>>().Value;
            return options.EffectiveProvider switch
            {
                ChatModelProvider.OpenAI => CreateOpenAIClient(options),
                _ => new OfflineChatClient(sp.GetRequiredService<IOptions<ChatModelOptions>>()),
            };
        });
        return services;
    }

    /// <summary>The OpenAI provider as the service calls it, provider failures translated to
    /// <see cref="ChatModelException"/>; the benchmark measures this same client.</summary>
    public static IChatClient CreateOpenAIClient(ChatModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ModelRetryPolicy(options.MaxRetries, options.MaxRetryWait),
            NetworkTimeout = options.Timeout,
            Transport = new HttpClientPipelineTransport(ModelHttpClient.Create(options.InlineStreamReads)),
        };
        if (options.Endpoint is not null)
        {
            clientOptions.Endpoint = options.Endpoint;
        }

        var chatClient = new OpenAI.Chat.ChatClient(options.Model, new ApiKeyCredential(options.ApiKey!), clientOptions);
        return new ProviderErrorChatClient(new OpenAIStreamingChatClient(chatClient, options.Model!));
    }
}

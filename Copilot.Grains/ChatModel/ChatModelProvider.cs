namespace Copilot.Grains.ChatModel;

/// <summary>Where replies come from.</summary>
public enum ChatModelProvider
{
    /// <summary>The built-in offline responder: deterministic, no network.</summary>
    Offline,

    /// <summary>OpenAI's chat completions API or any server compatible with it.</summary>
    OpenAI,
}

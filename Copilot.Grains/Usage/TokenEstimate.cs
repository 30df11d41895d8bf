using Microsoft.Extensions.AI;

namespace Copilot.Grains.Usage;

/// <summary>The tokens a model call is charged when the model did not report its usage: a stopped reply, one cut at the
/// length cap, one that timed out or failed, or a provider that sends no usage. The provider bills what it read and
/// wrote either way, so the estimate errs on the side of charging.</summary>
/// <remarks>Kept in step with docs/operations.md ("How usage is counted"), where users and operators read the rule.</remarks>
internal static class TokenEstimate
{
    /// <summary>Characters per token, rounded up: about what English prose costs in the common tokenizers.</summary>
    public const int CharsPerToken = 4;

    /// <summary>Tokens added for each message of the input: the chat format frames every message with a few tokens
    /// (role, separators) that its text does not show.</summary>
    public const int TokensPerMessage = 4;

    /// <summary>Tokens for each image of the input: the most a high-detail image of at most 2,048 px on its longer
    /// side (the size images are stored at) costs with OpenAI's tiling (8 tiles of 170, plus 85).</summary>
    public const int TokensPerImage = 1_445;

    /// <summary>The input tokens of <paramref name="input"/>, the messages the model was sent.</summary>
    public static long Input(IEnumerable<ChatMessage> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long chars = 0, messages = 0, images = 0;
        foreach (var message in input)
        {
            messages++;
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    chars += text.Text?.Length ?? 0;
                }
                else if (IsImage(content))
                {
                    images++;
                }
            }
        }

        return OfText(chars) + (messages * TokensPerMessage) + (images * TokensPerImage);
    }

    /// <summary>Whether <paramref name="content"/> is an image of the model's input.</summary>
    public static bool IsImage(AIContent content) => content is DataContent data && data.HasTopLevelMediaType("image");

    /// <summary>The tokens of <paramref name="chars"/> characters of text (the reply's: what was received from the model).</summary>
    public static long OfText(long chars) => (chars + CharsPerToken - 1) / CharsPerToken;
}

namespace Copilot.Grains.ChatModel;

/// <summary>The chat model could not produce a reply. <see cref="Code"/> is stored with the failed message and shown to clients.</summary>
[GenerateSerializer, Alias("copilot.chat-model-exception")]
public sealed class ChatModelException : Exception
{
    /// <summary>Creates the exception with the generic code.</summary>
    public ChatModelException()
        : this(ErrorCodes.ModelError, "The chat model failed.")
    {
    }

    /// <summary>Creates the exception with a message and the generic code.</summary>
    public ChatModelException(string message)
        : this(ErrorCodes.ModelError, message)
    {
    }

    /// <summary>Creates the exception with a message, cause and the generic code.</summary>
    public ChatModelException(string message, Exception innerException)
        : this(ErrorCodes.ModelError, message, innerException)
    {
    }

    public ChatModelException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>A stable, machine-readable reason such as <see cref="ErrorCodes.ModelRateLimited"/>.</summary>
    [Id(0)]
    public string Code { get; }
}

namespace Copilot.Grains.ChatModel;

/// <summary>The chat model could not produce a reply. <see cref="Code"/> is stored with the failed message and shown to clients.</summary>
[GenerateSerializer, Alias("copilot.chat-model-exception")]
public sealed class ChatModelException : Exception
{
    /// <summary>The model was unreachable (connection refused, DNS, TLS).</summary>
    public const string Unreachable = "model_unreachable";

    /// <summary>The provider said it is overloaded or the key is over its rate limit (HTTP 429).</summary>
    public const string RateLimited = "model_rate_limited";

    /// <summary>The provider failed (HTTP 5xx).</summary>
    public const string Unavailable = "model_unavailable";

    /// <summary>The provider refused the credentials (HTTP 401/403).</summary>
    public const string AuthFailed = "model_auth_failed";

    /// <summary>The provider rejected the request (other HTTP 4xx).</summary>
    public const string Rejected = "model_rejected";

    /// <summary>No chunk arrived within the configured timeout.</summary>
    public const string Timeout = "model_timeout";

    /// <summary>Anything else.</summary>
    public const string Error = "model_error";

    /// <summary>Creates the exception with the generic code.</summary>
    public ChatModelException()
        : this(Error, "The chat model failed.")
    {
    }

    /// <summary>Creates the exception with a message and the generic code.</summary>
    public ChatModelException(string message)
        : this(Error, message)
    {
    }

    /// <summary>Creates the exception with a message, cause and the generic code.</summary>
    public ChatModelException(string message, Exception innerException)
        : this(Error, message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChatModelException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>A stable, machine-readable reason such as <see cref="RateLimited"/>.</summary>
    [Id(0)]
    public string Code { get; }
}

namespace Copilot.Grains.Shares;

/// <summary>The user already has <see cref="Sessions.SessionsOptions.MaxSharesPerUser"/> live share links; the new one
/// was not stored.</summary>
[GenerateSerializer, Alias("copilot.share-limit")]
public sealed class ShareLimitException : Exception
{
    public ShareLimitException()
        : base("The user has as many live share links as allowed.")
    {
    }

    public ShareLimitException(string message)
        : base(message)
    {
    }

    public ShareLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Copilot.Testing.Http;

/// <summary>What <see cref="UnreadBody.SendAsync"/> got back.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Headers">The header lines, one per line.</param>
/// <param name="Body">The body as far as it was read: up to its error code, or all of it.</param>
/// <param name="BodyBytesSent">How much of the request body was written before the answer came.</param>
public sealed record class EarlyAnswer(int Status, string Headers, string Body, long BodyBytesSent)
{
    /// <summary>The <c>code</c> of a JSON error answer, or null.</summary>
    public string? Code => UnreadBody.CodeOf(Body);
}

namespace Copilot.Api.V1.Sessions;

/// <summary>The body of <c>PATCH /v1/sessions/{id}</c>.</summary>
/// <param name="Title">The new title: not blank, at most <see cref="MaxChars"/> characters (as long as the session list shows); whitespace runs become one space.</param>
internal sealed record class RenameRequest(string Title)
{
    public const int MaxChars = 80;
}

namespace Copilot.Api.V1.Messages;

/// <summary>One part of a UI message; the service stores text only.</summary>
/// <param name="Type">Always <c>text</c>.</param>
/// <param name="Text">The text.</param>
internal sealed record class UiMessagePart(string Type, string Text);

namespace Copilot.Api.Admin;

/// <summary>The last line of a user's export, with how many lines of each kind came before it. An export cut short
/// (storage failing once the answer had begun, so that its status could no longer say so) lacks it.</summary>
internal sealed record class ExportedEnd(string Type, int Sessions, int Messages, int Feedback, int Shares, int Files);

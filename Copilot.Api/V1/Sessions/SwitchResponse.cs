namespace Copilot.Api.V1.Sessions;

/// <summary>The answer to <c>PUT /v1/sessions/{id}/active</c>.</summary>
/// <param name="ActiveLeafId">The last message of the path now active.</param>
internal sealed record class SwitchResponse(Guid ActiveLeafId);

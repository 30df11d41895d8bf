namespace Copilot.Api.V1.Chat;

/// <summary>The answer to a stop.</summary>
/// <param name="Stopped">True when a reply was running and is now stored as <c>stopped</c>; false when nothing was in flight.</param>
public sealed record class StopResponse(bool Stopped);

namespace Copilot.Api.V1.Chat;

/// <param name="Stopped">True when a reply was running and is now stored as <c>stopped</c>; false when nothing was in flight.</param>
internal sealed record class StopResponse(bool Stopped);

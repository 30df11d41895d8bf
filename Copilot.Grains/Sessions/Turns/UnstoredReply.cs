namespace Copilot.Grains.Sessions.Turns;

/// <summary>A generated reply whose write failed: held by the activation until storage takes it.</summary>
internal sealed record class UnstoredReply(Guid TurnId, NewMessage Message);

namespace Copilot.Grains.Sessions.Turns;

/// <summary>A generated reply whose write failed: held by the activation until storage takes it, as a child of
/// <paramref name="ParentId"/> (the turn's user message).</summary>
internal sealed record class UnstoredReply(Guid TurnId, NewMessage Message, Guid ParentId);

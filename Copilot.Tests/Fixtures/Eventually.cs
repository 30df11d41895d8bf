using Copilot.Testing.Polling;

namespace Copilot.Tests.Fixtures;

/// <summary>Waits, bounded, for work the test started but does not await (a reminder tick, a background reply).</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/> (default 30 s).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Assert.True(
            await Poll.UntilAsync(condition, timeout ?? TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50)),
            $"Timed out waiting until {what}.");
}

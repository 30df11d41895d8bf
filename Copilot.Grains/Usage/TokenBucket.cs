namespace Copilot.Grains.Usage;

/// <summary>A bucket of <c>perMinute</c> tokens refilled evenly over the minute, on a <see cref="TimeProvider"/> so that
/// time can be faked. Not thread-safe: it lives in one grain activation.</summary>
internal sealed class TokenBucket(int perMinute, TimeProvider time)
{
    private readonly double _perSecond = perMinute / 60.0;
    private double _tokens = perMinute;
    private DateTimeOffset _refilledAt = time.GetUtcNow();

    /// <summary>Takes a token, or says how long until one is there.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        if (now > _refilledAt)
        {
            _tokens = Math.Min(perMinute, _tokens + ((now - _refilledAt).TotalSeconds * _perSecond));
            _refilledAt = now;
        }

        if (_tokens < 1)
        {
            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _perSecond);
            return false;
        }

        _tokens--;
        retryAfter = TimeSpan.Zero;
        return true;
    }
}

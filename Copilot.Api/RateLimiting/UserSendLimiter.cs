using System.Threading.RateLimiting;

namespace Copilot.Api.RateLimiting;

/// <summary>One user's send limiter: a token bucket of <c>sendsPerMinute</c> refilled evenly, and at most
/// <c>concurrentStreams</c> leases held at once (a lease lasts as long as its request, so as long as the reply streams).</summary>
/// <remarks>Written on <see cref="TimeProvider"/> (the framework's token bucket reads the system clock) so that time can be
/// faked; a refused lease says why (<see cref="MetadataName.ReasonPhrase"/>) and when to retry
/// (<see cref="MetadataName.RetryAfter"/>).</remarks>
internal sealed class UserSendLimiter(int sendsPerMinute, int concurrentStreams, TimeProvider time) : RateLimiter
{
    /// <summary>The reason of a refusal by the sends-per-minute bucket.</summary>
    public const string SendsReason = "rate_limited";

    /// <summary>The reason of a refusal by the concurrent-streams limit.</summary>
    public const string StreamsReason = "concurrent_streams";

    /// <summary>What a client refused for too many streams is told to wait: a reply usually ends within seconds.</summary>
    public static readonly TimeSpan StreamsRetryAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly double _perSecond = sendsPerMinute / 60.0;
    private double _tokens = sendsPerMinute;
    private DateTimeOffset _refilledAt = time.GetUtcNow();
    private DateTimeOffset _lastRelease = time.GetUtcNow();
    private int _streams;
    private long _refused;
    private long _granted;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                if (_streams > 0)
                {
                    return null;
                }

                var fullAt = _refilledAt + TimeSpan.FromSeconds((sendsPerMinute - _tokens) / _perSecond);
                var idleSince = fullAt > _lastRelease ? fullAt : _lastRelease;
                var idle = time.GetUtcNow() - idleSince;
                return idle >= TimeSpan.Zero ? idle : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = Math.Min((long)_tokens, concurrentStreams - _streams),
                TotalFailedLeases = _refused,
                TotalSuccessfulLeases = _granted,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, 1);
        lock (_lock)
        {
            Refill();
            if (_streams >= concurrentStreams)
            {
                _refused++;
                return new Refused(StreamsReason, StreamsRetryAfter);
            }

            if (_tokens < 1)
            {
                _refused++;
                return new Refused(SendsReason, TimeSpan.FromSeconds((1 - _tokens) / _perSecond));
            }

            _tokens -= permitCount;
            _streams += permitCount;
            _granted++;
            return new Granted(this, permitCount);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        var now = time.GetUtcNow();
        if (now > _refilledAt)
        {
            _tokens = Math.Min(sendsPerMinute, _tokens + ((now - _refilledAt).TotalSeconds * _perSecond));
            _refilledAt = now;
        }
    }

    private void Release(int permitCount)
    {
        lock (_lock)
        {
            _streams -= permitCount;
            _lastRelease = time.GetUtcNow();
        }
    }

    private sealed class Granted(UserSendLimiter limiter, int permitCount) : RateLimitLease
    {
        private int _released;

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(permitCount);
            }
        }
    }

    private sealed class Refused(string reason, TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [MetadataName.ReasonPhrase.Name, MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.ReasonPhrase.Name ? reason
                : metadataName == MetadataName.RetryAfter.Name ? retryAfter
                : null;
            return metadata is not null;
        }
    }
}

using System.Text;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>The in-memory side of a turn: the reply text as it streams in, and the readers waiting for more.</summary>
/// <remarks>Lives only in the activation that runs the turn; everything durable is in <see cref="Storage.SessionState"/>.
/// The model's text is appended off the grain's scheduler (a chunk every few milliseconds need not queue behind the
/// grain's calls), everything else runs on it: the text and the signal to readers are guarded by a lock.</remarks>
/// <param name="turnId">The turn.</param>
/// <param name="maxChars">The reply's length cap.</param>
/// <param name="wakeReadersInline">Whether the model's chunk that a waiting reader is due for runs that reader on the
/// model's thread, before <see cref="Append"/> returns (<see cref="ChatModel.ChatModelOptions.InlineStreamReads"/>), instead of
/// on a thread-pool worker woken for it. Every other wake (the reply's end on the grain's scheduler, a timer) goes
/// through the thread pool either way, so no reader runs inside the grain.</param>
/// <param name="clock">Times the gathering window; the system clock unless a test drives it.</param>
internal sealed class ActiveTurn(Guid turnId, int maxChars, bool wakeReadersInline = false, TimeProvider? clock = null) : IDisposable
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();

    /// <summary>Completed to wake the readers waiting; its continuations run where it is completed (see
    /// <see cref="Wake"/>).</summary>
    private TaskCompletionSource _changed = new();

    /// <summary>Where the last read ended, and when it was answered: a reader at that offset gathers until the window
    /// has passed since then, so what the model sends within one window goes out in one write and, while the model
    /// streams, writes are a window apart (rounded up to its next chunk).</summary>
    private int _readEnd;
    private long _readAt = (clock ?? TimeProvider.System).GetTimestamp();

    /// <summary>The shortest window of the readers waiting (<see cref="TimeSpan.MaxValue"/> when none waits): the
    /// text that arrives while they wait wakes them only once it is due, so a gathering reader is woken once per write,
    /// by the model's chunk that ends its window, not once per chunk and again by a timer.</summary>
    private TimeSpan _waitingGather = TimeSpan.MaxValue;

    /// <summary>Wakes the waiting readers when the model sends nothing more after text that is not due yet: no text
    /// waits longer than <see cref="HoldFactor"/> windows.</summary>
    private ITimer? _holdLimit;

    /// <summary>How many windows text may wait for the model's next chunk before it is sent anyway.</summary>
    public const int HoldFactor = 2;

    public Guid TurnId { get; } = turnId;

    /// <summary>Cancels the model call: set by a stop request or by a silo shutting down.</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Why <see cref="Cancellation"/> fired, when it did.</summary>
    public MessageStatus? CancelledAs { get; private set; }

    /// <summary>True once the reply has ended and its outcome is known.</summary>
    public bool IsFinished => Outcome is not null;

    /// <summary>How the reply ended; <see cref="ReplyProgress.Message"/> is null when it could not be stored.</summary>
    public ReplyProgress? Outcome { get; private set; }

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Whether the reply reached its length cap; the rest of the stream is ignored.</summary>
    public bool IsFull
    {
        get
        {
            lock (_lock)
            {
                return _text.Length >= maxChars;
            }
        }
    }

    /// <summary>Appends the model's <paramref name="text"/>, and wakes the readers it is due for (outside the lock: an
    /// inline wake runs them here).</summary>
    public void Append(string text)
    {
        if (AppendLocked(text) is { } due)
        {
            Wake(due, wakeReadersInline);
        }
    }

    public void Cancel(MessageStatus reason)
    {
        if (IsFinished || CancelledAs is not null)
        {
            return;
        }

        CancelledAs = reason;
        Cancellation.Cancel();
    }

    public void Finish(SessionMessage? stored, MessageStatus status, string? errorCode, IReadOnlyList<Guid>? versions = null)
    {
        lock (_lock)
        {
            Outcome = new ReplyProgress
            {
                Text = "",
                NextOffset = _text.Length,
                Done = true,
                Status = status,
                ErrorCode = errorCode,
                Message = stored,
                Versions = versions,
            };
            Signal();
        }
    }

    /// <summary>The text from <paramref name="offset"/>, after waiting up to <paramref name="maxWait"/> when there is none
    /// yet, then, unless the reply ends first, until <paramref name="gather"/> has passed since the last read was answered
    /// (for a reader at the offset where it ended): the read answers with the model's first chunk after the window, or
    /// <see cref="HoldFactor"/> windows after that answer when the model sends nothing more. A reader further behind gets
    /// what there is at once.</summary>
    public async Task<ReplyProgress> ReadAsync(int offset, TimeSpan maxWait, TimeSpan gather = default)
    {
        var asked = _clock.GetTimestamp();
        while (true)
        {
            Task changed;
            TimeSpan timeout;
            lock (_lock)
            {
                offset = Math.Clamp(offset, 0, _text.Length);
                var gathering = offset == _readEnd && gather > TimeSpan.Zero;
                if (IsFinished)
                {
                    return Answer(offset);
                }

                if (offset < _text.Length)
                {
                    var sinceRead = _clock.GetElapsedTime(_readAt);
                    if (!gathering || sinceRead >= gather)
                    {
                        return Answer(offset);
                    }

                    timeout = (gather * HoldFactor) - sinceRead;
                }
                else
                {
                    timeout = maxWait - _clock.GetElapsedTime(asked);
                    if (timeout <= TimeSpan.Zero)
                    {
                        return Answer(offset);
                    }
                }

                var wakeAfter = gathering ? gather : TimeSpan.Zero;
                _waitingGather = wakeAfter < _waitingGather ? wakeAfter : _waitingGather;
                changed = _changed.Task;
            }

            await WaitAsync(changed, timeout);
        }
    }

    public void Dispose()
    {
        Cancellation.Dispose();
        lock (_lock)
        {
            _holdLimit?.Dispose();
        }
    }

    /// <summary>Appends <paramref name="text"/> under the lock; the readers to wake, when it is due for them.</summary>
    private TaskCompletionSource? AppendLocked(string text)
    {
        lock (_lock)
        {
            var room = maxChars - _text.Length;
            if (room <= 0 || text.Length == 0)
            {
                return null;
            }

            var fresh = _text.Length == _readEnd;
            _text.Append(StoredText.CutAtGrapheme(text, room));
            if (_waitingGather == TimeSpan.MaxValue)
            {
                return null;
            }

            var sinceRead = _clock.GetElapsedTime(_readAt);
            if (sinceRead >= _waitingGather)
            {
                return Detach();
            }

            if (fresh)
            {
                _holdLimit ??= _clock.CreateTimer(_ => OnHoldLimit(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _holdLimit.Change((_waitingGather * HoldFactor) - sinceRead, Timeout.InfiniteTimeSpan);
            }

            return null;
        }
    }

    /// <summary>The text from <paramref name="offset"/> on; called under the lock.</summary>
    private ReplyProgress Answer(int offset)
    {
        var text = _text.ToString(offset, _text.Length - offset);
        _readEnd = _text.Length;
        _readAt = _clock.GetTimestamp();
        return Outcome is { } outcome
            ? outcome with { Text = text, NextOffset = _text.Length }
            : new ReplyProgress { Text = text, NextOffset = _text.Length, Done = false };
    }

    private void OnHoldLimit()
    {
        lock (_lock)
        {
            if (_waitingGather != TimeSpan.MaxValue)
            {
                Signal();
            }
        }
    }

    private async Task WaitAsync(Task signal, TimeSpan timeout)
    {
        try
        {
            await signal.WaitAsync(timeout, _clock);
        }
        catch (TimeoutException)
        {
            // Nothing more within the time: the reader looks again at what there is.
        }
    }

    /// <summary>Wakes the readers waiting for more on a thread-pool worker; called under the lock.</summary>
    private void Signal() => Wake(Detach(), inline: false);

    /// <summary>Takes the readers waiting (their signal, replaced by a fresh one); called under the lock.</summary>
    private TaskCompletionSource Detach()
    {
        _waitingGather = TimeSpan.MaxValue;
        _holdLimit?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var changed = _changed;
        _changed = new TaskCompletionSource();
        return changed;
    }

    /// <summary>Completes <paramref name="changed"/>: on this thread when <paramref name="inline"/> (a waiting reader's
    /// continuation, which captured no scheduler, then runs here), else on a thread-pool worker.</summary>
    private static void Wake(TaskCompletionSource changed, bool inline)
    {
        if (inline)
        {
            changed.TrySetResult();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.TrySetResult(), changed, preferLocal: false);
        }
    }
}

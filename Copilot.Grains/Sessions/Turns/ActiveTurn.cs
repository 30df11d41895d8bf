using System.Text;

namespace Copilot.Grains.Sessions.Turns;

/// <summary>The in-memory side of a turn: the reply text as it streams in, and the readers waiting for more.</summary>
/// <remarks>Lives only in the activation that runs the turn; everything durable is in <see cref="Storage.SessionState"/>.
/// The model's text is appended off the grain's scheduler (a chunk every few milliseconds need not queue behind the
/// grain's calls), everything else runs on it: the text and the signal to readers are guarded by a lock.</remarks>
/// <param name="turnId">The turn.</param>
/// <param name="maxChars">The reply's length cap.</param>
/// <param name="clock">Times the gathering window; the system clock unless a test drives it.</param>
internal sealed class ActiveTurn(Guid turnId, int maxChars, TimeProvider? clock = null) : IDisposable
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where the last read ended, and when the first text after it arrived: a reader at that offset gathers
    /// until the window has passed since then, so no text waits longer than the window whenever the reader asks.</summary>
    private int _readEnd;
    private long _unreadSince;

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

    public void Append(string text)
    {
        lock (_lock)
        {
            var room = maxChars - _text.Length;
            if (room <= 0 || text.Length == 0)
            {
                return;
            }

            if (_text.Length == _readEnd)
            {
                _unreadSince = _clock.GetTimestamp();
            }

            _text.Append(StoredText.CutAtGrapheme(text, room));
            Signal();
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

        _finished.TrySetResult();
    }

    /// <summary>The text from <paramref name="offset"/>, after waiting up to <paramref name="maxWait"/> when there is none
    /// yet, then, unless the reply ends first, until <paramref name="gather"/> has passed since the text arrived that the
    /// reader (at the offset the last read ended) has not had yet. A reader further behind gets what there is at once.</summary>
    public async Task<ReplyProgress> ReadAsync(int offset, TimeSpan maxWait, TimeSpan gather = default)
    {
        Task? changed = null;
        lock (_lock)
        {
            offset = Math.Clamp(offset, 0, _text.Length);
            if (offset == _text.Length && !IsFinished && maxWait > TimeSpan.Zero)
            {
                changed = _changed.Task;
            }
        }

        if (changed is not null)
        {
            await WaitAsync(changed, maxWait);
        }

        var rest = TimeSpan.Zero;
        lock (_lock)
        {
            if (offset < _text.Length && offset == _readEnd && !IsFinished && gather > TimeSpan.Zero)
            {
                rest = gather - _clock.GetElapsedTime(_unreadSince);
            }
        }

        if (rest > TimeSpan.Zero)
        {
            await WaitAsync(_finished.Task, rest);
        }

        lock (_lock)
        {
            var text = _text.ToString(offset, _text.Length - offset);
            _readEnd = _text.Length;
            return Outcome is { } outcome
                ? outcome with { Text = text, NextOffset = _text.Length }
                : new ReplyProgress { Text = text, NextOffset = _text.Length, Done = false };
        }
    }

    public void Dispose() => Cancellation.Dispose();

    private async Task WaitAsync(Task signal, TimeSpan timeout)
    {
        try
        {
            await signal.WaitAsync(timeout, _clock);
        }
        catch (TimeoutException)
        {
            // Nothing more yet: the reader gets what there is and asks again.
        }
    }

    /// <summary>Wakes the readers waiting for more; called under the lock.</summary>
    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}

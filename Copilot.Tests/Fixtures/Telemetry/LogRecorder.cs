using Microsoft.Extensions.Logging;

namespace Copilot.Tests.Fixtures.Telemetry;

/// <summary>A logger that keeps the messages logged at one level, and signals the first.</summary>
/// <param name="level">The level whose messages are kept; others are dropped.</param>
public sealed class LogRecorder<T>(LogLevel level) : ILogger<T>
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _messages = [];

    /// <summary>Completes when the first message of the level is logged.</summary>
    public Task First => _first.Task;

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (logLevel != level)
        {
            return;
        }

        lock (_messages)
        {
            _messages.Add(formatter(state, exception));
        }

        _first.TrySetResult();
    }
}

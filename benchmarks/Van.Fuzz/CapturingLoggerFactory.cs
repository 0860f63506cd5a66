using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Van.Fuzz;

/// <summary>
/// Keeps what the node logs at Error or above: "internal error while handling a frame" and the like are the
/// engine telling us an exception other than a decode error escaped. Every such entry is a failure.
/// </summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private const int Kept = 20;
    private int _errors;

    public ConcurrentQueue<string> Errors { get; } = new();

    public int ErrorCount => Volatile.Read(ref _errors);

    /// <summary>Which live cases were in flight: the node's log cannot say which connection a line is about.</summary>
    public Func<string>? InFlight { get; set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Record(string category, string message, Exception? exception)
    {
        if (Interlocked.Increment(ref _errors) <= Kept)
        {
            Errors.Enqueue($"[{category}] {message}{(exception is null ? "" : "\n    " + exception)}\n    live cases in flight: {InFlight?.Invoke()}");
        }
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                owner.Record(category, formatter(state, exception), exception);
            }
        }
    }
}

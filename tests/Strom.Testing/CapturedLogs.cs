using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Strom.Testing;

/// <summary>One log entry the broker wrote at Warning or above.</summary>
public sealed record CapturedLogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"[{Level}] {Category} ({EventId.Id}): {Message}{(Exception is null ? "" : Environment.NewLine + Exception)}";
}

/// <summary>
/// Keeps what an in-process broker logs at Warning and above, so a test can assert that bad input
/// never makes the broker log an unhandled failure (Error/Critical). Bounded: the oldest entries
/// are dropped past <see cref="Capacity"/>.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public const int Capacity = 1000;
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyList<CapturedLogEntry> Entries => [.. _entries];

    /// <summary>Entries at Error or Critical level.</summary>
    public IReadOnlyList<CapturedLogEntry> Errors => [.. _entries.Where(e => e.Level >= LogLevel.Error)];

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(CapturedLogEntry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(new CapturedLogEntry(logLevel, category, eventId, formatter(state, exception), exception));
            }
        }
    }
}

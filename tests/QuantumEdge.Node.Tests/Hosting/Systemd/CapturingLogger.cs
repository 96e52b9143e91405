using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;

namespace QuantumEdge.Node.Tests.Hosting.Systemd;

/// <summary>Keeps every formatted log line with its level, for tests that check what an operator is told.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception)));
}

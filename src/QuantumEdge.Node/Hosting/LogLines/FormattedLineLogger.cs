using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace QuantumEdge.Node.Hosting.LogLines;

/// <summary>
/// A logger that turns each entry into one line with a console formatter (the JSON one: the same
/// lines as the framework's JSON console) on the calling thread, and hands the line to its
/// provider's queue. The providers that own a background writer (the batched console, the log file)
/// share it.
/// </summary>
internal sealed class FormattedLineLogger(string category, ConsoleFormatter lineFormatter, Func<IExternalScopeProvider?> scopes, Action<string> offer) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes()?.Push(state) ?? NullScope.Instance;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        using var text = new StringWriter();
        lineFormatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), scopes(), text);
        var line = text.ToString().TrimEnd('\r', '\n');
        if (line.Length > 0)
        {
            offer(line);
        }
    }

    private sealed class NullScope : IDisposable
    {
        public static readonly NullScope Instance = new();

        public void Dispose()
        {
        }
    }
}

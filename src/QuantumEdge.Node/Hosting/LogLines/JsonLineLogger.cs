using System.Buffers;

namespace QuantumEdge.Node.Hosting.LogLines;

/// <summary>
/// A logger that writes each entry as one JSON line (<see cref="JsonLogLine"/>) on the calling thread,
/// into that thread's reusable buffer, and hands the line's UTF-8 bytes to its provider's queue. The
/// providers that own a background writer (the batched console, the log file) share it.
/// </summary>
internal sealed class JsonLineLogger(string category, Action<byte[]> offer) : ILogger
{
    // Lines are short (a request line is ≈ 450 bytes); a thread's buffer grows to its longest line and is reused.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    // Lines carry no scopes (as the framework's JSON formatter by default), so a scope has nothing to keep.
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        // Taken, not borrowed: a property's ToString that logs (re-entering on this thread) gets a buffer of its own.
        var buffer = _buffer ?? new ArrayBufferWriter<byte>(1024);
        _buffer = null;
        buffer.ResetWrittenCount();
        if (JsonLogLine.Write(buffer, DateTime.UtcNow, category, logLevel, eventId, state, exception, formatter))
        {
            offer(buffer.WrittenSpan.ToArray());
        }

        // One huge line (an exception's trace) must not pin its buffer on this thread for good.
        if (buffer.Capacity <= 64 * 1024)
        {
            _buffer = buffer;
        }
    }
}

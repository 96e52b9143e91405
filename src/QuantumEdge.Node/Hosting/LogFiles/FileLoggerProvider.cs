using System.Threading.Channels;
using Microsoft.Extensions.Logging.Console;

namespace QuantumEdge.Node.Hosting.LogFiles;

/// <summary>
/// <c>logging.file</c>: the console's JSON lines, also appended to a rotating file for log shippers.
/// The calling thread only formats the line and offers it to a bounded queue; one background loop
/// writes. When the queue is full the line is dropped and counted (<see cref="Dropped"/>), never
/// waited for: a slow disk must not slow requests.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly RotatingLogFile _file;
    private readonly ConsoleFormatter _formatter;
    private readonly Channel<string> _queue;
    private readonly Action _onDrop;
    private IExternalScopeProvider? _scopes;
    private Task? _writer;
    private long _dropped;
    private long _failed;

    /// <param name="file">Where lines go.</param>
    /// <param name="formatter">The console's JSON formatter, so both carry the same lines.</param>
    /// <param name="capacity">Lines that may wait for the writer.</param>
    /// <param name="onDrop">Counts a dropped line (the metric).</param>
    /// <param name="start">False only in tests that fill the queue before anything is written.</param>
    public FileLoggerProvider(RotatingLogFile file, ConsoleFormatter formatter, int capacity, Action? onDrop = null, bool start = true)
    {
        _file = file;
        _formatter = formatter;
        _onDrop = onDrop ?? (() => { });
        _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        if (start)
        {
            Start();
        }
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines the file refused (disk full, removed directory).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void Start() => _writer ??= Task.Run(WriteAsync);

    public ILogger CreateLogger(string categoryName) => new FormattedLineLogger(categoryName, _formatter, () => _scopes, Offer);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        // What is queued still reaches the file; a stuck disk cannot hold up the shutdown for long.
        _writer?.Wait(TimeSpan.FromSeconds(5));
        _file.Dispose();
    }

    private void Offer(string line)
    {
        // TryWrite on a full Wait-mode channel fails at once instead of blocking: that is the drop.
        if (!_queue.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
            _onDrop();
        }
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                try
                {
                    _file.Append(line);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref _failed);
                }
            }

            try
            {
                _file.Flush();
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }
}

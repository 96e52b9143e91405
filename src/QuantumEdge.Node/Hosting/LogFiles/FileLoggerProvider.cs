using QuantumEdge.Node.Hosting.LogLines;

namespace QuantumEdge.Node.Hosting.LogFiles;

/// <summary>
/// <c>logging.file</c>: the JSON console's lines (<see cref="JsonLogLine"/>), also appended to a rotating file for log shippers.
/// The calling thread only formats the line and offers it to a <see cref="LineBatchWriter"/>; its one
/// thread writes. When the queue is full the line is dropped and counted (<see cref="Dropped"/>), never
/// waited for: a slow disk must not slow requests.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly RotatingLogFile _file;
    private readonly LineBatchWriter _writer;
    private readonly Action _onFail;

    /// <param name="file">Where lines go.</param>
    /// <param name="capacity">Lines that may wait for the writer.</param>
    /// <param name="onDrop">Counts a dropped line (the metric).</param>
    /// <param name="start">False only in tests that fill the queue before anything is written.</param>
    /// <param name="onFail">Counts a write the file refused (the metric).</param>
    public FileLoggerProvider(RotatingLogFile file, int capacity, Action? onDrop = null, bool start = true, Action? onFail = null)
    {
        _file = file;
        _onFail = onFail ?? (() => { });
        _writer = new LineBatchWriter(file, capacity, onDrop, start, _onFail);
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => _writer.Dropped;

    /// <summary>Writes and flushes the file refused (disk full, removed directory): their lines are lost.</summary>
    public long Failed => _writer.Failed;

    public void Start() => _writer.Start();

    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(categoryName, line => _writer.Offer(line));

    public void Dispose()
    {
        // What is queued still reaches the file; a stuck disk cannot hold up the shutdown for long.
        _writer.Dispose();
        try
        {
            _file.Dispose();
        }
        catch (IOException e)
        {
            // Closing flushes the file's last lines; a full disk refuses them. The node has still shut down
            // cleanly: it says so on standard error (the journal) rather than failing its exit.
            _onFail();
            Console.Error.WriteLine($"logging.file: the last log lines could not be written when the node stopped: {e.Message}");
        }
    }
}

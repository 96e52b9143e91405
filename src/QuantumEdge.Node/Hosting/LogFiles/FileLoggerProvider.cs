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
    /// <param name="file">Where lines go.</param>
    /// <param name="capacity">Lines that may wait for the writer.</param>
    /// <param name="onDrop">Counts a dropped line (the metric).</param>
    /// <param name="start">False only in tests that fill the queue before anything is written.</param>
    public FileLoggerProvider(RotatingLogFile file, int capacity, Action? onDrop = null, bool start = true)
    {
        _file = file;
        _writer = new LineBatchWriter(file, capacity, onDrop, start);
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => _writer.Dropped;

    /// <summary>Lines the file refused (disk full, removed directory).</summary>
    public long Failed => _writer.Failed;

    public void Start() => _writer.Start();

    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(categoryName, line => _writer.Offer(line));

    public void Dispose()
    {
        // What is queued still reaches the file; a stuck disk cannot hold up the shutdown for long.
        _writer.Dispose();
        _file.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Text;

namespace QuantumEdge.Node.Hosting.ConsoleLog;

/// <summary>
/// Writes text lines to a stream from one dedicated thread, many lines per write. Callers only
/// queue (never block, never wait for the stream); the writer wakes when the first line arrives,
/// writes everything queued in one call, then pauses <see cref="BatchInterval"/> so that the next
/// lines gather: at thousands of lines a second the stream sees a write every few milliseconds, not
/// one per line with a thread wake-up each. A full queue drops the line and counts it: a stalled
/// reader of standard output (a stuck log shipper) must not stall requests or grow memory.
/// </summary>
internal sealed class LineBatchWriter : IDisposable
{
    /// <summary>How long the writer lets lines gather after each write: the most a line waits for a quiet stream.</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(5);

    private readonly Stream _output;
    private readonly int _capacity;
    private readonly Action _onDrop;
    private readonly ConcurrentQueue<string> _lines = new();
    // Released only by the caller that clears _writerWaiting, so it never counts more than one.
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Thread _thread;
    private readonly MemoryStream _buffer = new();
    private int _queued;
    private int _started;
    private int _closed;
    private int _writerWaiting;
    private long _dropped;
    private long _failed;
    private long _writes;
    private volatile bool _completed;

    /// <param name="output">Where lines go (standard output).</param>
    /// <param name="capacity">Lines that may wait for the writer; beyond this they are dropped.</param>
    /// <param name="onDrop">Counts a dropped line (the metric).</param>
    /// <param name="start">False only in tests that fill the queue before anything is written.</param>
    public LineBatchWriter(Stream output, int capacity, Action? onDrop = null, bool start = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _output = output;
        _capacity = capacity;
        _onDrop = onDrop ?? (() => { });
        _thread = new Thread(Run) { IsBackground = true, Name = "QuantumEdge.Log" };
        // A process that exits without disposing its logger (a start-up failure's last line) still gets its lines out.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        if (start)
        {
            Start();
        }
    }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes the stream refused (a closed pipe); their lines are lost.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Writes made to the stream so far (each carries one or more lines).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _thread.Start();
        }
    }

    /// <summary>Queues one line (without its newline); false when it was dropped (full queue, or closed).</summary>
    public bool Offer(string line)
    {
        if (_completed || Interlocked.Increment(ref _queued) > _capacity)
        {
            if (!_completed)
            {
                Interlocked.Decrement(ref _queued);
            }

            Interlocked.Increment(ref _dropped);
            _onDrop();
            return false;
        }

        _lines.Enqueue(line);
        if (Interlocked.Exchange(ref _writerWaiting, 0) == 1)
        {
            _wake.Release();
        }

        return true;
    }

    /// <summary>Takes no more lines and writes what is queued (waiting at most five seconds for a stuck stream).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        _completed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (Interlocked.Exchange(ref _writerWaiting, 0) == 1)
        {
            _wake.Release();
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Never started (tests): what is queued is written here.
            WriteQueued();
        }
        else
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private void Run()
    {
        while (true)
        {
            WriteQueued();
            if (_completed && _lines.IsEmpty)
            {
                return;
            }

            Thread.Sleep(BatchInterval);
            if (!_lines.IsEmpty || _completed)
            {
                continue;
            }

            Volatile.Write(ref _writerWaiting, 1);
            if (!_lines.IsEmpty || _completed)
            {
                // A line (or the end) arrived between the check and the flag: whoever clears the flag
                // releases the semaphore, so if a caller beat us to it its release is taken here.
                if (Interlocked.Exchange(ref _writerWaiting, 0) == 1)
                {
                    continue;
                }
            }

            _wake.Wait();
        }
    }

    private void WriteQueued()
    {
        _buffer.SetLength(0);
        while (_lines.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _queued);
            var length = Encoding.UTF8.GetByteCount(line);
            var start = (int)_buffer.Length;
            _buffer.SetLength(start + length + 1);
            var span = _buffer.GetBuffer().AsSpan(start, length + 1);
            Encoding.UTF8.GetBytes(line, span);
            span[length] = (byte)'\n';
        }

        if (_buffer.Length == 0)
        {
            return;
        }

        try
        {
            _output.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            _output.Flush();
            Interlocked.Increment(ref _writes);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            Interlocked.Increment(ref _failed);
        }

        _buffer.SetLength(0);
        if (_buffer.Capacity > 1 << 20)
        {
            // One burst must not pin a large buffer for the life of the process.
            _buffer.Capacity = 64 * 1024;
        }
    }
}

using System.Collections.Concurrent;
using System.Text;

namespace QuantumEdge.Node.Hosting.LogLines;

/// <summary>
/// Writes log lines to a sink (standard output, the rotating log file) from one dedicated thread,
/// many lines per flush. Callers only queue (never block, never wait for the sink); the writer wakes
/// when the first line arrives, writes everything queued and flushes once, then pauses
/// <see cref="BatchInterval"/> so that the next lines gather: at thousands of lines a second the sink
/// sees a flush every few milliseconds, not one per line with a thread wake-up each. A full queue
/// drops the line and counts it: a stalled reader of standard output (a stuck log shipper) or a slow
/// disk must not stall requests or grow memory.
/// </summary>
internal sealed class LineBatchWriter : IDisposable
{
    /// <summary>How long the writer lets lines gather after each flush: the most a line waits for a quiet sink.</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(5);

    private readonly ILineSink _sink;
    private readonly int _capacity;
    private readonly Action _onDrop;
    private readonly Action _onFail;
    private readonly ConcurrentQueue<byte[]> _lines = new();
    // Released only by whoever clears _writerWaiting, so it never counts more than one.
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Thread _thread;
    private int _queued;
    private int _started;
    private int _closed;
    private int _writerWaiting;
    private long _dropped;
    private long _failed;
    private long _writes;

    /// <param name="sink">Where lines go.</param>
    /// <param name="capacity">Lines that may wait for the writer; beyond this they are dropped.</param>
    /// <param name="onDrop">Counts a dropped line (the metric).</param>
    /// <param name="start">False only in tests that fill the queue before anything is written.</param>
    /// <param name="onFail">Counts a write or flush the sink refused (the metric).</param>
    public LineBatchWriter(ILineSink sink, int capacity, Action? onDrop = null, bool start = true, Action? onFail = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sink = sink;
        _capacity = capacity;
        _onDrop = onDrop ?? (() => { });
        _onFail = onFail ?? (() => { });
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

    /// <summary>Lines or flushes the sink refused (a closed pipe, a full disk); their lines are lost.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Flushes made so far (each carries one or more lines).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>True while the writer sleeps until the next line (tests wait for it to exercise the wake-up).</summary>
    internal bool IsIdle => Volatile.Read(ref _writerWaiting) == 1;

    private bool IsClosed => Volatile.Read(ref _closed) == 1;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _thread.Start();
        }
    }

    /// <summary>Queues one line (without its newline); false when it was not taken (full queue: dropped and counted; or closed).</summary>
    public bool Offer(string line) => Offer(Encoding.UTF8.GetBytes(line));

    /// <summary>Queues one line of UTF-8 (without its newline), which the writer then owns; false when it was not taken.</summary>
    public bool Offer(byte[] line)
    {
        if (IsClosed)
        {
            return false;
        }

        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            _onDrop();
            return false;
        }

        _lines.Enqueue(line);
        WakeWriter();
        return true;
    }

    /// <summary>Takes no more lines and writes what is queued (waiting at most five seconds for a stuck sink).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        WakeWriter();
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

    private void WakeWriter()
    {
        if (Interlocked.Exchange(ref _writerWaiting, 0) == 1)
        {
            _wake.Release();
        }
    }

    private void Run()
    {
        while (true)
        {
            WriteQueued();
            if (IsClosed && _lines.IsEmpty)
            {
                return;
            }

            // The batching pause itself, not a wait for anything: lines offered meanwhile share the next flush.
            Thread.Sleep(BatchInterval);
            if (!_lines.IsEmpty || IsClosed)
            {
                continue;
            }

            Volatile.Write(ref _writerWaiting, 1);
            // A line (or the end) that arrived just before the flag was set woke nobody: look once more. If a
            // caller cleared the flag first, it released the semaphore, and the Wait below takes that release.
            if ((!_lines.IsEmpty || IsClosed) && Interlocked.Exchange(ref _writerWaiting, 0) == 1)
            {
                continue;
            }

            _wake.Wait();
        }
    }

    private void WriteQueued()
    {
        var appended = false;
        while (_lines.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _queued);
            try
            {
                _sink.Append(line);
                appended = true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
            {
                Interlocked.Increment(ref _failed);
                _onFail();
            }
        }

        if (!appended)
        {
            return;
        }

        try
        {
            _sink.Flush();
            Interlocked.Increment(ref _writes);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            Interlocked.Increment(ref _failed);
            _onFail();
        }
    }
}

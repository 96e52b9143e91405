using System.Diagnostics;

namespace QuantumEdge.Ledger.Writing;

/// <summary>
/// The queue between a ledger's callers and its single writer, which takes it group by group. A
/// group holding only deferrable writes (<see cref="CommitTiming.Deferrable"/>) lingers: the writer
/// waits for company until an immediate or exclusive write is queued, the group is full, the queue
/// is completed (shutdown) or the linger is over, so that outcome records nobody waits on share one
/// durable commit instead of paying one each. The wake-up is decided under the lock by the caller
/// that queues, so an immediate write never waits out a linger and a deferrable one never wakes it.
/// </summary>
internal sealed class WriteQueue<T>
    where T : class, IQueuedWrite
{
    private readonly Lock _sync = new();
    private readonly Queue<T> _items = new();
    // Counts at most one wake-up: released only while the writer waits (_wake != None), which it then clears.
    private readonly SemaphoreSlim _signal = new(0, 1);
    private int _immediateQueued;
    private Wake _wake;
    private int _wakeAtCount;
    private bool _completed;

    private enum Wake
    {
        None,
        OnAnyWrite,
        OnImmediateWriteOrFullGroup,
    }

    /// <summary>Queues a write; false once <see cref="Complete"/> was called.</summary>
    public bool TryWrite(T write)
    {
        lock (_sync)
        {
            if (_completed)
            {
                return false;
            }

            _items.Enqueue(write);
            var immediate = !write.IsDeferrable;
            if (immediate)
            {
                _immediateQueued++;
            }

            if (_wake == Wake.OnAnyWrite || (_wake == Wake.OnImmediateWriteOrFullGroup && (immediate || _items.Count >= _wakeAtCount)))
            {
                WakeWriter();
            }

            return true;
        }
    }

    /// <summary>Takes no more writes; the writer takes what is queued without lingering, then sees the end.</summary>
    public void Complete()
    {
        lock (_sync)
        {
            _completed = true;
            if (_wake != Wake.None)
            {
                WakeWriter();
            }
        }
    }

    /// <summary>
    /// Blocks until the next group is ready (see the class remarks) and fills <paramref name="group"/>
    /// with up to <paramref name="maxGroup"/> writes; an exclusive write met on the way ends the group
    /// and comes back in <paramref name="exclusive"/>, to run after it. False when completed and empty.
    /// </summary>
    public bool TakeGroup(List<T> group, int maxGroup, TimeSpan linger, out T? exclusive)
    {
        group.Clear();
        exclusive = null;
        bool ended;
        while (!TryStartWaiting(Wake.OnAnyWrite, 0, out ended))
        {
            WaitForWake(Timeout.Infinite);
        }

        if (ended)
        {
            return false;
        }

        if (Drain(group, maxGroup, ref exclusive) || linger <= TimeSpan.Zero)
        {
            return true;
        }

        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var remaining = linger - Stopwatch.GetElapsedTime(start);
            if (remaining > TimeSpan.Zero && !TryStartWaiting(Wake.OnImmediateWriteOrFullGroup, maxGroup - group.Count, out _))
            {
                if (!WaitForWake(WholeMilliseconds(remaining)))
                {
                    StopWaiting();
                }
            }

            if (Drain(group, maxGroup, ref exclusive) || Stopwatch.GetElapsedTime(start) >= linger || IsCompleted)
            {
                return true;
            }
        }
    }

    /// <summary>The same as <see cref="TakeGroup"/> for a writer that runs as an asynchronous loop.</summary>
    public async ValueTask<(bool Taken, T? Exclusive)> TakeGroupAsync(List<T> group, int maxGroup, TimeSpan linger)
    {
        group.Clear();
        T? exclusive = null;
        bool ended;
        while (!TryStartWaiting(Wake.OnAnyWrite, 0, out ended))
        {
            await _signal.WaitAsync().ConfigureAwait(false);
        }

        if (ended)
        {
            return (false, null);
        }

        if (Drain(group, maxGroup, ref exclusive) || linger <= TimeSpan.Zero)
        {
            return (true, exclusive);
        }

        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var remaining = linger - Stopwatch.GetElapsedTime(start);
            if (remaining > TimeSpan.Zero && !TryStartWaiting(Wake.OnImmediateWriteOrFullGroup, maxGroup - group.Count, out _))
            {
                if (!await _signal.WaitAsync(WholeMilliseconds(remaining)).ConfigureAwait(false))
                {
                    StopWaiting();
                }
            }

            if (Drain(group, maxGroup, ref exclusive) || Stopwatch.GetElapsedTime(start) >= linger || IsCompleted)
            {
                return (true, exclusive);
            }
        }
    }

    /// <summary>
    /// True while the writer waits for company for a group of only deferrable writes (until a write
    /// wakes it or the linger times out); tests wait for it to exercise the wake-up itself.
    /// </summary>
    public bool IsLingering
    {
        get
        {
            lock (_sync)
            {
                return _wake == Wake.OnImmediateWriteOrFullGroup;
            }
        }
    }

    private bool IsCompleted
    {
        get
        {
            lock (_sync)
            {
                return _completed;
            }
        }
    }

    /// <summary>
    /// True when there is no need to wait (something to take, or the queue completed; <paramref name="ended"/>
    /// when it is completed and empty); otherwise registers what should wake the writer and returns
    /// false, the writer then waits on the signal.
    /// </summary>
    private bool TryStartWaiting(Wake wake, int wakeAtCount, out bool ended)
    {
        lock (_sync)
        {
            ended = _completed && _items.Count == 0;
            var ready = wake == Wake.OnAnyWrite
                ? _items.Count > 0
                : _immediateQueued > 0 || _items.Count >= wakeAtCount;
            if (ready || _completed)
            {
                return true;
            }

            _wake = wake;
            _wakeAtCount = wakeAtCount;
            return false;
        }
    }

    /// <summary>
    /// The writer thread's wait for its wake-up, false when <paramref name="millisecondsTimeout"/> passed first.
    /// <see cref="SemaphoreSlim.Wait(int)"/> spins before it blocks, yielding the CPU in a loop: on the ledger's
    /// writer, which waits between every two group commits, that spinning was ≈ 19 % of the thread's CPU (perf, one
    /// connection, the bench/wrk setup), taken from the request threads on a small host. The wait handle blocks at
    /// once; the count it announces is then taken without waiting (the writer is the only one that takes it).
    /// </summary>
    private bool WaitForWake(int millisecondsTimeout) =>
        _signal.AvailableWaitHandle.WaitOne(millisecondsTimeout) && _signal.Wait(0);

    /// <summary>After a timed-out wait: a writer that queued just after the timeout released the signal, which is taken back.</summary>
    private void StopWaiting()
    {
        lock (_sync)
        {
            if (_wake == Wake.None)
            {
                _signal.Wait(0);
            }

            _wake = Wake.None;
        }
    }

    private void WakeWriter()
    {
        _wake = Wake.None;
        _signal.Release();
    }

    /// <summary>
    /// Moves queued writes into the group; true when the group must commit now: it took an immediate
    /// write (a group that holds one never lingers, so earlier calls returned true too), it is full,
    /// or an exclusive write is next.
    /// </summary>
    private bool Drain(List<T> group, int maxGroup, ref T? exclusive)
    {
        lock (_sync)
        {
            var tookImmediate = false;
            while (exclusive is null && group.Count < maxGroup && _items.TryDequeue(out var write))
            {
                if (!write.IsDeferrable)
                {
                    _immediateQueued--;
                    tookImmediate = true;
                }

                if (write.IsExclusive)
                {
                    exclusive = write;
                }
                else
                {
                    group.Add(write);
                }
            }

            return tookImmediate || exclusive is not null || group.Count >= maxGroup || _immediateQueued > 0;
        }
    }

    private static int WholeMilliseconds(TimeSpan span) => (int)Math.Min(int.MaxValue, Math.Ceiling(span.TotalMilliseconds));
}

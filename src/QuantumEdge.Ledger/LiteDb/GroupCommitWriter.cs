using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// The single writer. LiteDB binds transactions to the OS thread, so one dedicated thread owns
/// the database. It drains every queued operation, applies them in one transaction, commits,
/// checkpoints LiteDB's log into the data file, fsyncs, signs a chain checkpoint and rewrites the
/// head file; only then do the callers' tasks complete (group commit amortises the fsyncs). A group
/// of only deferrable operations lingers first (<see cref="WriteQueue{T}"/>), longer under load
/// (<see cref="CommitLinger"/>): each commit costs the same whether it carries one outcome record or hundreds.
/// </summary>
internal sealed class GroupCommitWriter : IDisposable
{
    private readonly WriteQueue<LedgerOperation> _queue = new();
    private readonly LedgerStore _store;
    private readonly int _maxBatch;
    private readonly CommitLinger _linger;
    private readonly Thread _thread;
    private readonly List<LedgerOperation> _batch = [];
    private long _commits;
    private long _operations;
    private long _allocatedBytes;
    private LedgerDurabilityException? _fault;

    public GroupCommitWriter(LedgerStore store, int maxBatch, TimeSpan deferredLinger)
    {
        _store = store;
        _maxBatch = Math.Max(1, maxBatch);
        _linger = new CommitLinger(deferredLinger);
        _thread = new Thread(Run) { IsBackground = true, Name = "QuantumEdge.Ledger.Writer" };
        _thread.Start();
    }

    public long Commits => Interlocked.Read(ref _commits);

    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>
    /// Bytes the writer thread has allocated so far, as of its last commit or exclusive operation
    /// (set before their callers' tasks complete): what the ledger's own work costs the GC, apart
    /// from its callers' allocations.
    /// </summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>
    /// Set once committed writes could not be made durable: from then on every operation fails with it
    /// at once (fail-stop; after a failed fsync the page cache cannot be trusted) until the node restarts.
    /// </summary>
    public LedgerDurabilityException? Fault => Volatile.Read(ref _fault);

    public Task<T> Enqueue<T>(Func<LedgerStore, T> body, bool exclusive = false, CommitTiming timing = CommitTiming.Immediate)
    {
        if (Fault is { } fault)
        {
            // Stopped for good: not even a deferrable write waits out a linger to be told so.
            return Task.FromException<T>(fault);
        }

        var operation = new LedgerOperation<T>(body, exclusive, timing);
        if (!_queue.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(LiteDbPrivacyLedger), "The ledger is closed.");
        }

        return operation.Task;
    }

    /// <summary>Stops taking work, commits what is queued at once (no linger) and waits for the thread.</summary>
    public void Dispose()
    {
        _queue.Complete();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        while (_queue.TakeGroup(_batch, _maxBatch, _linger.Next, out var exclusive))
        {
            _linger.Observe(_batch.Count);
            if (_batch.Count > 0)
            {
                CommitGroup(_batch);
            }

            if (exclusive is not null)
            {
                RunExclusive(exclusive);
            }
        }
    }

    private void CommitGroup(List<LedgerOperation> group)
    {
        try
        {
            ApplyAndCommit(group);
        }
        catch (LedgerDurabilityException ex)
        {
            // The group was committed (or the writer had already stopped): redoing it would write it twice.
            FailAll(group, ex);
            return;
        }
        catch (Exception) when (group.Count > 1)
        {
            // One bad operation must not fail its neighbours: redo them one transaction each.
            foreach (var operation in group)
            {
                try
                {
                    ApplyAndCommit([operation]);
                    operation.Complete();
                }
                catch (Exception ex)
                {
                    operation.Fail(ex);
                }
            }

            return;
        }
        catch (Exception ex)
        {
            group[0].Fail(ex);
            return;
        }

        foreach (var operation in group)
        {
            operation.Complete();
        }
    }

    private static void FailAll(List<LedgerOperation> group, Exception exception)
    {
        foreach (var operation in group)
        {
            operation.Fail(exception);
        }
    }

    private void ApplyAndCommit(IReadOnlyList<LedgerOperation> group)
    {
        ThrowIfFaulted();
        var db = _store.Db;
        _store.ResetBatch();
        db.BeginTrans();
        SignedChainPoint? head = null;
        try
        {
            foreach (var operation in group)
            {
                operation.Apply(_store);
            }

            if (_store.AppendedInBatch)
            {
                head = _store.WriteCheckpoint();
            }

            db.Commit();
        }
        catch
        {
            db.Rollback();
            _store.DiscardVolatileState();
            throw;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _operations, group.Count);
        MakeDurable();
        if (head is { } point)
        {
            try
            {
                HeadFile.Write(_store.Paths.Head, point);
            }
            catch (Exception ex)
            {
                throw Stop(LedgerDurabilityException.After($"write of the head file '{_store.Paths.Head}'", ex));
            }
        }

        Interlocked.Exchange(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void RunExclusive(LedgerOperation operation)
    {
        if (Fault is { } fault)
        {
            operation.Fail(fault);
            return;
        }

        try
        {
            _store.ResetBatch();
            operation.Apply(_store);
            if (_store.HasUnstoredAudit)
            {
                // Its records would be lost with the next group's rollback or stored without a checkpoint.
                throw new InvalidOperationException("an exclusive ledger operation appended audit records without writing its checkpoint");
            }
        }
        catch (Exception ex)
        {
            if (_store.Db is { } db)
            {
                try
                {
                    db.Rollback();
                }
                catch (LiteDB.LiteException)
                {
                    // Nothing was open.
                }
            }

            _store.DiscardVolatileState();
            operation.Fail(ex);
            return;
        }

        try
        {
            MakeDurable();
        }
        catch (LedgerDurabilityException ex)
        {
            operation.Fail(ex);
            return;
        }

        Interlocked.Exchange(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        operation.Complete();
    }

    /// <summary>Checkpoints and fsyncs what was committed; a failure stops the writer for good.</summary>
    private void MakeDurable()
    {
        try
        {
            _store.MakeDurable();
        }
        catch (Exception ex)
        {
            throw Stop(LedgerDurabilityException.After($"checkpoint and sync of the ledger's log and data files ('{_store.Paths.Database}')", ex));
        }
    }

    private LedgerDurabilityException Stop(LedgerDurabilityException fault)
    {
        Volatile.Write(ref _fault, fault);
        return fault;
    }

    private void ThrowIfFaulted()
    {
        if (Fault is { } fault)
        {
            throw fault;
        }
    }
}

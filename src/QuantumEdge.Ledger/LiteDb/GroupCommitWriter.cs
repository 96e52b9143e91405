using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// The single writer. LiteDB binds transactions to the OS thread, so one dedicated thread owns
/// the database. It drains every queued operation, applies them in one transaction, commits,
/// checkpoints LiteDB's log into the data file, fsyncs, signs a chain checkpoint and rewrites the
/// head file; only then do the callers' tasks complete (group commit amortises the fsyncs). A group
/// of only deferrable operations lingers first (<see cref="WriteQueue{T}"/>): each commit costs the
/// same whether it carries one outcome record or hundreds.
/// </summary>
internal sealed class GroupCommitWriter : IDisposable
{
    private readonly WriteQueue<LedgerOperation> _queue = new();
    private readonly LedgerStore _store;
    private readonly int _maxBatch;
    private readonly TimeSpan _linger;
    private readonly Thread _thread;
    private readonly List<LedgerOperation> _batch = [];
    private long _commits;
    private long _operations;
    private long _allocatedBytes;

    public GroupCommitWriter(LedgerStore store, int maxBatch, TimeSpan deferredLinger)
    {
        _store = store;
        _maxBatch = Math.Max(1, maxBatch);
        _linger = deferredLinger;
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

    public Task<T> Enqueue<T>(Func<LedgerStore, T> body, bool exclusive = false, CommitTiming timing = CommitTiming.Immediate)
    {
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
        while (_queue.TakeGroup(_batch, _maxBatch, _linger, out var exclusive))
        {
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
        catch (Exception) when (group.Count > 1)
        {
            // One bad operation must not fail its neighbours: redo them one transaction each.
            foreach (var operation in group)
            {
                try
                {
                    ApplyAndCommit([operation]);
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

    private void ApplyAndCommit(IReadOnlyList<LedgerOperation> group)
    {
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

        _store.MakeDurable();
        if (head is { } point)
        {
            HeadFile.Write(_store.Paths.Head, point);
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _operations, group.Count);
        Interlocked.Exchange(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void RunExclusive(LedgerOperation operation)
    {
        try
        {
            _store.ResetBatch();
            operation.Apply(_store);
            _store.MakeDurable();
            Interlocked.Exchange(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            operation.Complete();
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
        }
    }
}

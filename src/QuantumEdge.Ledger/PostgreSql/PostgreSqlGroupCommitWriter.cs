using Npgsql;
using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// One replica's writer: it drains every queued operation, applies them in one PostgreSQL
/// transaction (every charged row locked up front in one sorted statement), writes the rows, the
/// audit records and the chain's signed head in one round trip, and commits with synchronous_commit
/// on; only then do the callers' tasks complete. As with the embedded ledger, group commit
/// amortises the commit's WAL flush over the batch; several replicas each run their own writer.
/// A group of only deferrable operations lingers first (<see cref="WriteQueue{T}"/>), longer under
/// load (<see cref="CommitLinger"/>).
/// </summary>
internal sealed class PostgreSqlGroupCommitWriter : IDisposable
{
    private const int MaxAttempts = 4;

    private readonly WriteQueue<PostgreSqlOperation> _queue = new();
    private readonly PostgreSqlStore _store;
    private readonly int _maxBatch;
    private readonly CommitLinger _linger;
    private readonly Task _loop;
    private readonly List<PostgreSqlOperation> _batch = [];
    private long _commits;
    private long _operations;

    public PostgreSqlGroupCommitWriter(PostgreSqlStore store, int maxBatch, TimeSpan deferredLinger)
    {
        _store = store;
        _maxBatch = Math.Max(1, maxBatch);
        _linger = new CommitLinger(deferredLinger);
        _loop = Task.Run(RunAsync);
    }

    public long Commits => Interlocked.Read(ref _commits);

    public long Operations => Interlocked.Read(ref _operations);

    public Task<T> Enqueue<T>(Func<PostgreSqlTransaction, CancellationToken, Task<T>> body, byte[]? chargeUserHash = null,
        CommitTiming timing = CommitTiming.Immediate) =>
        Enqueue(new PostgreSqlOperation<T>(body) { ChargeUserHash = chargeUserHash, IsDeferrable = timing == CommitTiming.Deferrable });

    public Task<T> EnqueueExclusive<T>(Func<PostgreSqlStore, CancellationToken, Task<T>> body) => Enqueue(new PostgreSqlOperation<T>(body));

    /// <summary>Stops taking work, commits what is queued at once (no linger) and waits for the loop.</summary>
    public void Dispose()
    {
        _queue.Complete();
        _loop.GetAwaiter().GetResult();
    }

    private Task<T> Enqueue<T>(PostgreSqlOperation<T> operation)
    {
        if (!_queue.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(PostgreSqlPrivacyLedger), "The ledger is closed.");
        }

        return operation.Task;
    }

    private async Task RunAsync()
    {
        while (await _queue.TakeGroupAsync(_batch, _maxBatch, _linger.Next).ConfigureAwait(false) is (true, var exclusive))
        {
            _linger.Observe(_batch.Count);
            if (_batch.Count > 0)
            {
                await CommitGroupAsync(_batch).ConfigureAwait(false);
            }

            if (exclusive is not null)
            {
                await RunExclusiveAsync(exclusive).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitGroupAsync(List<PostgreSqlOperation> group)
    {
        try
        {
            await ApplyAndCommitAsync(group).ConfigureAwait(false);
        }
        catch (LedgerUnavailableException ex)
        {
            // The database is gone for all of them alike: no point redoing them one by one.
            foreach (var operation in group)
            {
                operation.Fail(ex);
            }

            return;
        }
        catch (Exception) when (group.Count > 1)
        {
            // One bad operation must not fail its neighbours: redo them one transaction each.
            foreach (var operation in group)
            {
                try
                {
                    await ApplyAndCommitAsync([operation]).ConfigureAwait(false);
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

    private async Task ApplyAndCommitAsync(IReadOnlyList<PostgreSqlOperation> group)
    {
        for (var attempt = 1; ; attempt++)
        {
            PostgreSqlTransaction? transaction = null;
            try
            {
                transaction = await PostgreSqlTransaction.BeginAsync(_store, CancellationToken.None).ConfigureAwait(false);
                var charged = group.Where(o => o.ChargeUserHash is not null).Select(o => o.ChargeUserHash!).ToList();
                if (charged.Count > 0 && _store.ReadOnlyReason is null)
                {
                    await transaction.LockTodayAsync(charged, CancellationToken.None).ConfigureAwait(false);
                }

                foreach (var operation in group)
                {
                    await operation.ApplyAsync(transaction, CancellationToken.None).ConfigureAwait(false);
                }

                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                _store.SetHead(transaction.LastSeq, transaction.LastHash);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _operations, group.Count);
                return;
            }
            catch (Exception ex) when (ex is not LedgerException && !(transaction?.CommitSent ?? false) && attempt < MaxAttempts
                && (PostgreSqlErrors.IsRetryableConflict(ex) || (attempt == 1 && PostgreSqlErrors.IsStaleConnection(ex))))
            {
                // Nothing was committed: a deadlock victim, or a pooled connection the server closed while it restarted.
                _store.HeadStale = true;
                _store.DataSource.Clear();
            }
            catch (Exception ex) when (ex is not LedgerException && PostgreSqlErrors.IsUnavailable(ex))
            {
                // Before COMMIT was sent (a failed COMMIT is reported by PostgreSqlTransaction.CommitAsync as an unknown
                // outcome): nothing was written; the head is reloaded before the next append.
                _store.HeadStale = true;
                _store.DataSource.Clear();
                throw PostgreSqlErrors.Unavailable(ex);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "qe_audit")
            {
                _store.HeadStale = true;
                throw PostgreSqlTransaction.ChainConflict(_store.Chain);
            }
            catch
            {
                _store.HeadStale = true;
                throw;
            }
            finally
            {
                if (transaction is not null)
                {
                    await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task DisposeQuietlyAsync(PostgreSqlTransaction transaction)
    {
        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgreSqlErrors.IsUnavailable(ex))
        {
            // The rollback of a transaction on a dead connection: the server rolls it back itself.
        }
    }

    private async Task RunExclusiveAsync(PostgreSqlOperation operation)
    {
        try
        {
            await operation.RunExclusiveAsync(_store, CancellationToken.None).ConfigureAwait(false);
            operation.Complete();
        }
        catch (Exception ex) when (ex is not LedgerException && PostgreSqlErrors.IsUnavailable(ex))
        {
            _store.HeadStale = true;
            _store.DataSource.Clear();
            operation.Fail(PostgreSqlErrors.Unavailable(ex));
        }
        catch (Exception ex)
        {
            _store.HeadStale = true;
            operation.Fail(ex);
        }
    }
}

using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>A unit of work for the writer thread.</summary>
internal abstract class LedgerOperation : IQueuedWrite
{
    /// <summary>Runs alone, outside a group transaction (backup, verify, retention).</summary>
    public abstract bool IsExclusive { get; }

    /// <inheritdoc />
    public abstract bool IsDeferrable { get; }

    public abstract void Apply(LedgerStore store);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}

/// <summary>A <see cref="LedgerOperation"/> whose task completes with the body's result once durable.</summary>
internal sealed class LedgerOperation<T> : LedgerOperation
{
    private readonly Func<LedgerStore, T> _body;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public LedgerOperation(Func<LedgerStore, T> body, bool exclusive, CommitTiming timing)
    {
        _body = body;
        IsExclusive = exclusive;
        IsDeferrable = !exclusive && timing == CommitTiming.Deferrable;
    }

    public override bool IsExclusive { get; }

    public override bool IsDeferrable { get; }

    public Task<T> Task => _completion.Task;

    public override void Apply(LedgerStore store) => _result = _body(store);

    public override void Complete() => _completion.TrySetResult(_result);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

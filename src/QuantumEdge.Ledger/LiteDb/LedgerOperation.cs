namespace QuantumEdge.Ledger.LiteDb;

/// <summary>A unit of work for the writer thread.</summary>
internal abstract class LedgerOperation
{
    /// <summary>Runs alone, outside a group transaction (backup, verify, retention).</summary>
    public abstract bool IsExclusive { get; }

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

    public LedgerOperation(Func<LedgerStore, T> body, bool exclusive)
    {
        _body = body;
        IsExclusive = exclusive;
    }

    public override bool IsExclusive { get; }

    public Task<T> Task => _completion.Task;

    public override void Apply(LedgerStore store) => _result = _body(store);

    public override void Complete() => _completion.TrySetResult(_result);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>A unit of work for a replica's writer.</summary>
internal abstract class PostgreSqlOperation : IQueuedWrite
{
    /// <summary>Runs alone, between group commits, managing its own transaction if it needs one (policy reload, retention, head read).</summary>
    public abstract bool IsExclusive { get; }

    /// <inheritdoc />
    public bool IsDeferrable { get; init; }

    /// <summary>For a charge: the user's lookup hash, so the writer locks every row of a batch in one sorted statement up front.</summary>
    public byte[]? ChargeUserHash { get; init; }

    public abstract Task ApplyAsync(PostgreSqlTransaction transaction, CancellationToken cancellationToken);

    public abstract Task RunExclusiveAsync(PostgreSqlStore store, CancellationToken cancellationToken);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}

/// <summary>A <see cref="PostgreSqlOperation"/> whose task completes with the body's result once committed.</summary>
internal sealed class PostgreSqlOperation<T> : PostgreSqlOperation
{
    private readonly Func<PostgreSqlTransaction, CancellationToken, Task<T>>? _body;
    private readonly Func<PostgreSqlStore, CancellationToken, Task<T>>? _exclusiveBody;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public PostgreSqlOperation(Func<PostgreSqlTransaction, CancellationToken, Task<T>> body) => _body = body;

    public PostgreSqlOperation(Func<PostgreSqlStore, CancellationToken, Task<T>> exclusiveBody) => _exclusiveBody = exclusiveBody;

    public override bool IsExclusive => _exclusiveBody is not null;

    public Task<T> Task => _completion.Task;

    public override async Task ApplyAsync(PostgreSqlTransaction transaction, CancellationToken cancellationToken) =>
        _result = await _body!(transaction, cancellationToken).ConfigureAwait(false);

    public override async Task RunExclusiveAsync(PostgreSqlStore store, CancellationToken cancellationToken) =>
        _result = await _exclusiveBody!(store, cancellationToken).ConfigureAwait(false);

    public override void Complete() => _completion.TrySetResult(_result);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

using System.Reflection;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary>
/// A real ledger whose audit writes with one decision wait for <see cref="Release"/>, as a slow store's
/// would: every other call goes straight through.
/// </summary>
public class HeldRecordLedger : DispatchProxy
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IPrivacyLedger _inner = null!;
    private string _heldDecision = "";

    /// <summary>Set once a held write has started.</summary>
    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static (IPrivacyLedger Ledger, HeldRecordLedger Control) Wrap(IPrivacyLedger inner, string heldDecision)
    {
        var ledger = Create<IPrivacyLedger, HeldRecordLedger>();
        var control = (HeldRecordLedger)(object)ledger;
        control._inner = inner;
        control._heldDecision = heldDecision;
        return (ledger, control);
    }

    public void Release() => _release.TrySetResult();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IPrivacyLedger.RecordAsync) && args?[0] is AuditEntry entry && entry.Decision == _heldDecision)
        {
            Holding.TrySetResult();
            return HeldAsync(targetMethod, args);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task<long> HeldAsync(MethodInfo targetMethod, object?[] args)
    {
        await _release.Task.ConfigureAwait(false);
        return await ((Task<long>)targetMethod.Invoke(_inner, args)!).ConfigureAwait(false);
    }
}

using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Node.Feedback;

/// <summary>
/// The request path's side of the <see cref="CompletionBook"/>: an admitted request of an
/// authenticated caller is noted in flight and becomes a completion that caller may rate once answered. Never refuses anything.
/// </summary>
internal sealed class CompletionBookGate(CompletionBook book) : IRequestGate
{
    public ValueTask AdmitAsync(RequestRecord record, ReadOnlyMemory<byte> prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Caller is { } caller && record.Model is { Length: > 0 } model)
        {
            book.RecordAdmitted(record.RequestId, caller.Subject, model);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        book.RecordFinished(record.RequestId, record.Status is >= 200 and < 300 && !record.Decision.StartsWith("failed:", StringComparison.Ordinal)
            && !record.Decision.StartsWith("refused:", StringComparison.Ordinal));
        return ValueTask.CompletedTask;
    }
}

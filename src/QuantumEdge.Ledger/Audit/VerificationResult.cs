namespace QuantumEdge.Ledger.Audit;

/// <summary>One problem found by verification.</summary>
/// <param name="Seq">The first seq the problem concerns (0 for a budget row).</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">A sentence for the operator.</param>
public sealed record VerificationProblem(long Seq, VerificationProblemKind Kind, string Message);

/// <summary>The outcome of verifying the audit chain, its checkpoints, the anchor, the head file and the budget rows.</summary>
public sealed record VerificationResult
{
    public required long RecordsChecked { get; init; }
    public required long CheckpointsChecked { get; init; }

    /// <summary>First seq kept (after retention).</summary>
    public required long FirstSeq { get; init; }

    public required long LastSeq { get; init; }

    /// <summary>All problems found, ordered by seq (capped).</summary>
    public required IReadOnlyList<VerificationProblem> Problems { get; init; }

    public bool IsValid => Problems.Count == 0;

    /// <summary>The problem at the lowest seq, or null when the chain verifies.</summary>
    public VerificationProblem? FirstProblem => Problems.Count == 0 ? null : Problems[0];

    public override string ToString() => FirstProblem is { } p
        ? p.Seq > 0
            ? $"audit chain INVALID at seq {p.Seq}: {p.Kind}: {p.Message} ({Problems.Count} problem(s); {RecordsChecked} records checked)"
            : $"ledger INVALID: {p.Kind}: {p.Message} ({Problems.Count} problem(s); {RecordsChecked} records checked)"
        : $"audit chain OK: {RecordsChecked} records (seq {FirstSeq}..{LastSeq}), {CheckpointsChecked} signed checkpoints; budget rows agree";
}

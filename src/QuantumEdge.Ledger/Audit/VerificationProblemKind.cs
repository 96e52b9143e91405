namespace QuantumEdge.Ledger.Audit;

/// <summary>What is wrong at the seq a <see cref="VerificationProblem"/> names.</summary>
public enum VerificationProblemKind
{
    /// <summary>A stored record lacks fields or has fields of the wrong type.</summary>
    MalformedRecord,

    /// <summary>The record's content does not hash to its stored hash (modified).</summary>
    HashMismatch,

    /// <summary>The record's prev_hash is not the previous record's hash (reordered or replaced).</summary>
    BrokenLink,

    /// <summary>A seq is missing from the chain (deleted).</summary>
    MissingRecord,

    /// <summary>A record sits before the retention anchor.</summary>
    UnexpectedRecord,

    /// <summary>Records after the last signed checkpoint (appended without the node key).</summary>
    UnsignedTail,

    /// <summary>A checkpoint's Ed25519 signature is invalid.</summary>
    CheckpointSignatureInvalid,

    /// <summary>A validly signed checkpoint names a hash that the record at its seq does not have, or a missing record.</summary>
    CheckpointMismatch,

    /// <summary>The retention anchor is missing.</summary>
    AnchorMissing,

    /// <summary>The retention anchor's signature is invalid.</summary>
    AnchorSignatureInvalid,

    /// <summary>The signed head file is missing or unreadable.</summary>
    HeadMissing,

    /// <summary>The head file's signature is invalid.</summary>
    HeadSignatureInvalid,

    /// <summary>The head file names a hash the record at its seq does not have.</summary>
    HeadMismatch,

    /// <summary>The head file names a seq beyond the last stored record (tail deleted).</summary>
    Truncated,

    /// <summary>A budget row does not match its MAC (its spend was changed outside the node).</summary>
    BudgetRowTampered,

    /// <summary>A budget row (or its absence) disagrees with the charges, refunds and resets in the audit chain.</summary>
    BudgetRowDisagreesWithChain,
}

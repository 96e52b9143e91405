namespace QuantumEdge.Federation.Witness;

/// <summary>What <see cref="WitnessCheck"/> found about one receipt.</summary>
public enum WitnessFindingKind
{
    /// <summary>The head matches the local chain.</summary>
    Verified,

    /// <summary>A peer witnessed a head beyond the local chain's end: records were removed (rolled back).</summary>
    RolledBack,

    /// <summary>The local record at the witnessed seq has another hash: the chain was rewritten.</summary>
    Rewritten,

    /// <summary>The local chain no longer holds that seq (retention pruned it); nothing to compare.</summary>
    Pruned,

    /// <summary>The receipt's signature does not verify or its witness is not a trusted peer.</summary>
    InvalidReceipt,
}

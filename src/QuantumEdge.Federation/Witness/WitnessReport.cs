namespace QuantumEdge.Federation.Witness;

/// <summary>The result of checking the local audit chain against what peers witnessed.</summary>
public sealed record WitnessReport(IReadOnlyList<WitnessFinding> Findings)
{
    /// <summary>Receipts whose head the local chain contradicts (rolled back or rewritten).</summary>
    public IReadOnlyList<WitnessFinding> Contradictions =>
        Findings.Where(f => f.Kind is WitnessFindingKind.RolledBack or WitnessFindingKind.Rewritten).ToList();

    public int Verified => Findings.Count(f => f.Kind == WitnessFindingKind.Verified);

    /// <summary>True when no witnessed head contradicts the local chain and no receipt was invalid.</summary>
    public bool Ok => Findings.All(f => f.Kind is WitnessFindingKind.Verified or WitnessFindingKind.Pruned);
}

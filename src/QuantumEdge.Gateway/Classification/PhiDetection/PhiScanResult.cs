namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>The entity types a scan found at or above the configured confidence, sorted by name.</summary>
internal sealed class PhiScanResult
{
    public static readonly PhiScanResult None = new([]);

    public PhiScanResult(IReadOnlyList<PhiFinding> findings) => Findings = findings;

    public IReadOnlyList<PhiFinding> Findings { get; }

    public bool Found => Findings.Count > 0;

    /// <summary>The entity names joined by commas ("mrn,phone"), for errors and audit details.</summary>
    public string EntityList() => string.Join(",", Findings.Select(f => f.Entity));
}

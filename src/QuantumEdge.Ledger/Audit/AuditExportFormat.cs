namespace QuantumEdge.Ledger.Audit;

/// <summary>Audit export file formats.</summary>
public enum AuditExportFormat
{
    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,
}

namespace QuantumEdge.Ledger.Benchmarks.Layout;

/// <summary>How a group of audit records is laid out in LiteDB's audit collection.</summary>
internal enum RecordLayout
{
    /// <summary>One document per record, keyed by its seq: the shipped layout.</summary>
    DocumentPerRecord,

    /// <summary>One document per group commit, the records' documents in one array.</summary>
    ArrayPerGroup,

    /// <summary>One document per group commit, the records' BSON bytes concatenated into one binary field.</summary>
    BinaryPerGroup,
}

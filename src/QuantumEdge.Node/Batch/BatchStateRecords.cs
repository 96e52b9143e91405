using System.Text.Json;
using System.Text.Json.Serialization;
using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Maps a node's batch to the ledger's <see cref="BatchState"/>: the owner goes to the ledger's
/// owner (stored keyed and encrypted), the rest (the API object, the classification, the audit seq
/// at creation) to its encrypted details.
/// </summary>
internal static class BatchStateRecords
{
    public static BatchState ToState(StoredBatch stored, long version = 0) => new()
    {
        Id = stored.Batch.Id,
        Owner = new Ledger.Batches.BatchOwner(stored.Owner.Subject, stored.Owner.Role, stored.Owner.Department),
        Status = stored.Batch.Status,
        CreatedAt = stored.Batch.CreatedAt,
        ExpiresAt = stored.Batch.ExpiresAt,
        Total = stored.Batch.RequestCounts.Total,
        Details = JsonSerializer.Serialize(new BatchDetails { Batch = stored.Batch, Classification = stored.Classification, AuditSeqAtStart = stored.AuditSeqAtStart },
            BatchJsonContext.Default.BatchDetails),
        Version = version,
    };

    public static StoredBatch FromState(BatchState state)
    {
        var details = JsonSerializer.Deserialize(state.Details, BatchJsonContext.Default.BatchDetails)
            ?? throw new InvalidDataException($"batch {state.Id}'s details in the ledger are empty");
        return new StoredBatch
        {
            Batch = details.Batch,
            Owner = new BatchOwner(state.Owner.Subject, state.Owner.Role, state.Owner.Department),
            Classification = details.Classification,
            AuditSeqAtStart = details.AuditSeqAtStart,
        };
    }

    /// <summary>The API object: a batch not finished shows the counts of its recorded lines; a finished one the counts it was finalised with.</summary>
    public static BatchObject View(BatchState state)
    {
        var batch = FromState(state).Batch;
        return BatchState.IsFinal(state.Status) ? batch : batch with { RequestCounts = new BatchRequestCounts(state.Total, state.Completed, state.Failed) };
    }
}

/// <summary>What the ledger keeps of a batch beside its owner and status (encrypted there).</summary>
internal sealed record BatchDetails
{
    [JsonPropertyName("batch")] public required BatchObject Batch { get; init; }
    [JsonPropertyName("classification")] public string? Classification { get; init; }
    [JsonPropertyName("audit_seq_at_start")] public long AuditSeqAtStart { get; init; }
}

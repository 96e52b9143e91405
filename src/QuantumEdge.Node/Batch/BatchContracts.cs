using System.Text.Json.Serialization;

namespace QuantumEdge.Node.Batch;

/// <summary>OpenAI's file object.</summary>
internal sealed record FileObject(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("filename")] string Filename,
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("status_details")] string? StatusDetails,
    [property: JsonPropertyName("expires_at")] long? ExpiresAt);

/// <summary>A page of files (<c>GET /v1/files</c>).</summary>
internal sealed record FileList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<FileObject> Data,
    [property: JsonPropertyName("first_id")] string? FirstId,
    [property: JsonPropertyName("last_id")] string? LastId,
    [property: JsonPropertyName("has_more")] bool HasMore);

/// <summary>The answer to <c>DELETE /v1/files/{id}</c>.</summary>
internal sealed record FileDeleted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("deleted")] bool Deleted);

/// <summary>OpenAI's batch object.</summary>
internal sealed record BatchObject
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object { get; init; } = "batch";
    [JsonPropertyName("endpoint")] public required string Endpoint { get; init; }
    [JsonPropertyName("errors")] public BatchErrors? Errors { get; init; }
    [JsonPropertyName("input_file_id")] public required string InputFileId { get; init; }
    [JsonPropertyName("completion_window")] public string CompletionWindow { get; init; } = "24h";
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("output_file_id")] public string? OutputFileId { get; init; }
    [JsonPropertyName("error_file_id")] public string? ErrorFileId { get; init; }
    [JsonPropertyName("created_at")] public long CreatedAt { get; init; }
    [JsonPropertyName("in_progress_at")] public long? InProgressAt { get; init; }
    [JsonPropertyName("expires_at")] public long? ExpiresAt { get; init; }
    [JsonPropertyName("finalizing_at")] public long? FinalizingAt { get; init; }
    [JsonPropertyName("completed_at")] public long? CompletedAt { get; init; }
    [JsonPropertyName("failed_at")] public long? FailedAt { get; init; }
    [JsonPropertyName("expired_at")] public long? ExpiredAt { get; init; }
    [JsonPropertyName("cancelling_at")] public long? CancellingAt { get; init; }
    [JsonPropertyName("cancelled_at")] public long? CancelledAt { get; init; }
    [JsonPropertyName("request_counts")] public required BatchRequestCounts RequestCounts { get; init; }
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Why a batch failed validation (<c>errors</c> of a batch).</summary>
internal sealed record BatchErrors(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<BatchErrorDatum> Data);

/// <summary>One validation error of a batch.</summary>
internal sealed record BatchErrorDatum(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("line")] int? Line);

/// <summary>How many of a batch's requests finished, and how.</summary>
internal sealed record BatchRequestCounts(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("completed")] int Completed,
    [property: JsonPropertyName("failed")] int Failed);

/// <summary>A page of batches (<c>GET /v1/batches</c>).</summary>
internal sealed record BatchList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<BatchObject> Data,
    [property: JsonPropertyName("first_id")] string? FirstId,
    [property: JsonPropertyName("last_id")] string? LastId,
    [property: JsonPropertyName("has_more")] bool HasMore);

/// <summary>The body of <c>POST /v1/batches</c>.</summary>
internal sealed record CreateBatchBody
{
    [JsonPropertyName("input_file_id")] public string? InputFileId { get; init; }
    [JsonPropertyName("endpoint")] public string? Endpoint { get; init; }
    [JsonPropertyName("completion_window")] public string? CompletionWindow { get; init; }
    [JsonPropertyName("metadata")] public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>A stored file's metadata beside its content (never the content itself).</summary>
internal sealed record StoredFile
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("owner")] public required string Owner { get; init; }
    [JsonPropertyName("filename")] public required string Filename { get; init; }
    [JsonPropertyName("purpose")] public required string Purpose { get; init; }
    [JsonPropertyName("bytes")] public long Bytes { get; init; }
    [JsonPropertyName("created_at")] public long CreatedAt { get; init; }
    /// <summary>Hex SHA-256 of the content, checked whenever the content is read.</summary>
    [JsonPropertyName("sha256")] public required string Sha256 { get; init; }
    [JsonPropertyName("lines")] public int Lines { get; init; }
    /// <summary>The distinct <c>url</c>s of an input file's lines.</summary>
    [JsonPropertyName("urls")] public IReadOnlyList<string> Urls { get; init; } = [];

    public FileObject ToApi() => new(Id, "file", Bytes, CreatedAt, Filename, Purpose, "processed", null, null);
}

/// <summary>Who a batch runs as: the creator's identity at creation.</summary>
internal sealed record BatchOwner(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("department")] string? Department);

/// <summary>A batch as the node holds it: the API object plus what the executor needs to resume it (in the ledger: <see cref="BatchStateRecords"/>).</summary>
internal sealed record StoredBatch
{
    [JsonPropertyName("batch")] public required BatchObject Batch { get; init; }
    [JsonPropertyName("owner")] public required BatchOwner Owner { get; init; }
    /// <summary>The classification lines without their own <c>data_classification</c> are handled at (raw; resolved failing closed).</summary>
    [JsonPropertyName("classification")] public string? Classification { get; init; }
    /// <summary>The audit head when the batch was created: a resumed batch looks for its lines' charges after it.</summary>
    [JsonPropertyName("audit_seq_at_start")] public long AuditSeqAtStart { get; init; }
}

// A repeated key is refused, never resolved: the last copy wins here while another reader of the
// same body could take the first (a batch's classification set twice, say).
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(FileObject))]
[JsonSerializable(typeof(FileList))]
[JsonSerializable(typeof(FileDeleted))]
[JsonSerializable(typeof(BatchObject))]
[JsonSerializable(typeof(BatchList))]
[JsonSerializable(typeof(CreateBatchBody))]
[JsonSerializable(typeof(StoredFile))]
[JsonSerializable(typeof(StoredBatch))]
[JsonSerializable(typeof(BatchDetails))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;

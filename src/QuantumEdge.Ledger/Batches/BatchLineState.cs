namespace QuantumEdge.Ledger.Batches;

/// <summary>
/// One line of a batch as the ledger stores it: its status, the attempt and the request id its
/// privacy charge carries, and where its answer (an output or error entry) sits in the batch's
/// entries file on disk, with the entry's SHA-256 so a damaged file is noticed. Never the answer itself.
/// </summary>
public sealed record BatchLineState
{
    /// <summary>The line's index in the input file (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>One of <see cref="BatchLineStatuses"/>.</summary>
    public required string Status { get; init; }

    /// <summary>How many times the line was started (1 for the first run).</summary>
    public int Attempt { get; init; }

    /// <summary>The request id of the line's privacy charge and audit records.</summary>
    public required string RequestId { get; init; }

    /// <summary>The error code of a failed line.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Where the line's entry starts in the batch's entries file (done and failed lines).</summary>
    public long EntryOffset { get; init; }

    /// <summary>The entry's length in bytes, without its newline.</summary>
    public int EntryLength { get; init; }

    /// <summary>Hex SHA-256 of the entry.</summary>
    public string? EntrySha256 { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Index);
        if (!BatchLineStatuses.IsKnown(Status))
        {
            throw new ArgumentException($"'{Status}' is not a line status ({BatchLineStatuses.Queued}, {BatchLineStatuses.Running}, {BatchLineStatuses.Done}, {BatchLineStatuses.Failed}).", nameof(Status));
        }

        BatchState.Check(RequestId, nameof(RequestId));
        if (ErrorCode is { Length: > BatchState.MaxIdLength })
        {
            throw new ArgumentException($"'{nameof(ErrorCode)}' holds at most {BatchState.MaxIdLength} characters.", nameof(ErrorCode));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(EntryOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(EntryLength);
        if (EntrySha256 is { Length: > BatchState.MaxIdLength })
        {
            throw new ArgumentException($"'{nameof(EntrySha256)}' holds at most {BatchState.MaxIdLength} characters.", nameof(EntrySha256));
        }
    }
}

/// <summary>The statuses of a batch line.</summary>
public static class BatchLineStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";

    /// <summary>Done or failed: the line's answer is recorded and it never runs again.</summary>
    public static bool IsFinal(string status) => status is Done or Failed;

    internal static bool IsKnown(string? status) => status is Queued or Running or Done or Failed;
}

/// <summary>Associated data of the batch fields the ledger encrypts (a blob cannot be passed off as another field).</summary>
internal static class BatchStateFields
{
    public const string OwnerAad = "batch_owner";
    public const string DepartmentAad = "batch_department";
    public const string DetailsAad = "batch_details";
}

namespace QuantumEdge.Ledger.Batches;

/// <summary>
/// One batch as the ledger stores it. The ledger reads only the status, the times and the counts;
/// <see cref="Details"/> is the node's own description of the batch (endpoint, file ids, timestamps,
/// metadata, errors), opaque here and encrypted at rest.
/// </summary>
public sealed record BatchState
{
    /// <summary>Most characters of an id or a status.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Most characters of <see cref="Details"/>.</summary>
    public const int MaxDetailsLength = 256 * 1024;

    public required string Id { get; init; }

    /// <summary>Who created the batch and whom its lines run as (stored keyed and encrypted, never plain).</summary>
    public required BatchOwner Owner { get; init; }

    public required string Status { get; init; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Unix seconds: the end of the completion window.</summary>
    public long? ExpiresAt { get; init; }

    /// <summary>How many lines the batch has.</summary>
    public int Total { get; init; }

    /// <summary>Lines done; kept by the store from the recorded lines (ignored on create and update).</summary>
    public int Completed { get; init; }

    /// <summary>Lines failed; kept by the store from the recorded lines (ignored on create and update).</summary>
    public int Failed { get; init; }

    /// <summary>The node's description of the batch (JSON), encrypted at rest.</summary>
    public required string Details { get; init; }

    /// <summary>Incremented by every <see cref="IBatchStateStore.UpdateAsync"/>; the compare-and-set token.</summary>
    public long Version { get; init; }

    /// <summary>The replica executing the batch, while its lease runs (read only).</summary>
    public string? LeaseHolder { get; init; }

    /// <summary>When the lease ends (read only).</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field that is missing or too long.</summary>
    internal void Validate()
    {
        Check(Id, nameof(Id));
        Check(Status, nameof(Status));
        ArgumentException.ThrowIfNullOrEmpty(Owner?.Subject, "Owner.Subject");
        ArgumentNullException.ThrowIfNull(Owner.Role, "Owner.Role");
        ArgumentNullException.ThrowIfNull(Details);
        if (Details.Length > MaxDetailsLength)
        {
            throw new ArgumentException($"A batch's details hold at most {MaxDetailsLength} characters; these hold {Details.Length}.", nameof(Details));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Total);
    }

    internal static void Check(string? value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        if (value.Length > MaxIdLength)
        {
            throw new ArgumentException($"'{name}' holds at most {MaxIdLength} characters; it holds {value.Length}.", name);
        }
    }

    /// <summary>True for completed, failed, expired and cancelled: nothing changes a batch after them but the store's own bookkeeping.</summary>
    public static bool IsFinal(string status) => status is "completed" or "failed" or "expired" or "cancelled";
}

/// <summary>Who a batch runs as: its creator's subject, role and department at creation.</summary>
public sealed record BatchOwner(string Subject, string Role, string? Department);

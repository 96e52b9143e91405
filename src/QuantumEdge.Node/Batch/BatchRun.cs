using Microsoft.Win32.SafeHandles;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// One batch as the executor holds it: its state as last read from or written to the ledger, and
/// while this replica executes it (holding its lease), the index of its input lines (offsets, never
/// content), which lines are finished (their ledger records), which are running and the batch's
/// entries file. Callers lock the run while they read or change it.
/// </summary>
internal sealed class BatchRun : IDisposable
{
    public BatchRun(BatchState state)
    {
        State = state;
        Stored = BatchStateRecords.FromState(state);
    }

    public BatchState State { get; private set; }
    public StoredBatch Stored { get; private set; }
    public string Id => State.Id;
    public string Status => State.Status;
    public bool Terminal => BatchState.IsFinal(Status);
    public DateTimeOffset Deadline => DateTimeOffset.FromUnixTimeSeconds(Stored.Batch.ExpiresAt ?? long.MaxValue / 1000);

    /// <summary>True while this replica holds the batch's lease (it alone runs its lines).</summary>
    public bool Held { get; set; }

    /// <summary>Null until the input is indexed (the batch began on this replica under its lease).</summary>
    public IndexedLine[]? Lines { get; private set; }
    public bool[] Finished { get; private set; } = [];
    /// <summary>Each finished line's ledger record (where its entry is).</summary>
    public BatchLineState?[] Records { get; private set; } = [];
    /// <summary>How often each line was started, as the ledger records it.</summary>
    public int[] Attempts { get; private set; } = [];
    public HashSet<int> Running { get; } = [];
    /// <summary>Lines whose last attempt failed transiently: how often, and when they may run again.</summary>
    public Dictionary<int, (int Attempts, DateTimeOffset NotBefore)> Retries { get; } = [];
    public int Completed { get; private set; }
    public int Failed { get; private set; }
    public int Unfinished => (Lines?.Length ?? State.Total) - Completed - Failed;

    /// <summary>Charges of this batch's lines found in the audit trail on start (a line charged before a crash): request id → (seq, ε).</summary>
    public Dictionary<string, (long Seq, double Epsilon)> PriorCharges { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Unrefunded charges of this batch's lines on other replicas' chains of a shared ledger (a replica that ran the
    /// batch before this one took it over): request id → charges, refunded on their own chain before the line runs again.
    /// </summary>
    public Dictionary<string, List<QuantumEdge.Ledger.Budgets.ReplicaCharge>> OtherReplicasCharges { get; } = new(StringComparer.Ordinal);

    private BatchEntriesFile? _entries;
    private SafeFileHandle? _input;

    public string EntriesPath { get; private set; } = "";

    /// <summary>Takes a newer state (from this replica's write or another replica's); an older one is ignored.</summary>
    public void Apply(BatchState state)
    {
        if (state.Version >= State.Version)
        {
            State = state;
            Stored = BatchStateRecords.FromState(state);
        }
    }

    /// <summary>Takes the indexed input and the lines the ledger records as finished, and opens the entries file.</summary>
    public void Begin(IndexedLine[] lines, SafeFileHandle input, IReadOnlyList<BatchLineState> recorded, string entriesPath)
    {
        Lines = lines;
        _input = input;
        Finished = new bool[lines.Length];
        Records = new BatchLineState?[lines.Length];
        Attempts = new int[lines.Length];
        Completed = Failed = 0;
        foreach (var line in recorded)
        {
            if (line.Index >= 0 && line.Index < lines.Length)
            {
                Attempts[line.Index] = line.Attempt;
                if (BatchLineStatuses.IsFinal(line.Status))
                {
                    Count(line);
                }
            }
        }

        EntriesPath = entriesPath;
        _entries = BatchEntriesFile.Open(entriesPath);
    }

    /// <summary>The raw input line (for its parse just before it runs).</summary>
    public byte[] ReadLine(int index)
    {
        var line = Lines![index];
        var buffer = new byte[line.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(_input!, buffer.AsSpan(read), line.Offset + read);
            if (n == 0)
            {
                throw new IOException("the input file is shorter than when it was indexed");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Appends a line's entry to the entries file durably (before the ledger records it).</summary>
    public (long Offset, int Length, string Sha256) AppendEntry(ReadOnlySpan<byte> entry) => _entries!.Append(entry);

    /// <summary>Counts a line the ledger recorded as done or failed.</summary>
    public void Finish(BatchLineState line)
    {
        Running.Remove(line.Index);
        Count(line);
    }

    /// <summary>Stops executing (the batch reached a final status, the lease went to another replica, or the node stops).</summary>
    public void Dispose()
    {
        _entries?.Dispose();
        _entries = null;
        _input?.Dispose();
        _input = null;
        Lines = null;
        Running.Clear();
        Retries.Clear();
        PriorCharges.Clear();
        OtherReplicasCharges.Clear();
    }

    // A finished batch shows the counts it was finalised with: an expired batch's failed lines include the ones its window closed on.
    public BatchObject View() => Lines is null || Terminal
        ? BatchStateRecords.View(State)
        : Stored.Batch with { RequestCounts = new BatchRequestCounts(Lines.Length, Completed, Failed) };

    private void Count(BatchLineState line)
    {
        if (!Finished[line.Index])
        {
            Finished[line.Index] = true;
            Records[line.Index] = line;
            _ = line.Status == BatchLineStatuses.Done ? Completed++ : Failed++;
        }
    }
}

/// <summary>Where one input line is, and what the scheduler needs to know of it.</summary>
internal readonly record struct IndexedLine(long Offset, int Length, int Number, string Model, ulong PrefixKey, int EstimatedTokens, InferenceRoute Route);

/// <summary>The batch statuses of the OpenAI Batch API.</summary>
internal static class BatchStatuses
{
    public const string Validating = "validating";
    public const string Failed = "failed";
    public const string InProgress = "in_progress";
    public const string Finalizing = "finalizing";
    public const string Completed = "completed";
    public const string Expired = "expired";
    public const string Cancelling = "cancelling";
    public const string Cancelled = "cancelled";
}

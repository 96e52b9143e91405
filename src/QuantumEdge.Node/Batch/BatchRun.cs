using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// One batch as the executor holds it: its stored state (<c>batch.json</c>, replaced atomically on
/// every status change), and while it runs, the index of its input lines (offsets, never content),
/// which lines are finished (from its <see cref="BatchResultsLog"/>) and which are running.
/// Callers lock the run while they read or change it.
/// </summary>
internal sealed class BatchRun : IDisposable
{
    private BatchRun(string directory, StoredBatch stored)
    {
        Directory = directory;
        Stored = stored;
    }

    public string Directory { get; }
    public StoredBatch Stored { get; private set; }
    public string Id => Stored.Batch.Id;
    public string Status => Stored.Batch.Status;
    public bool Terminal => Status is BatchStatuses.Completed or BatchStatuses.Failed or BatchStatuses.Expired or BatchStatuses.Cancelled;
    public DateTimeOffset Deadline => DateTimeOffset.FromUnixTimeSeconds(Stored.Batch.ExpiresAt ?? long.MaxValue / 1000);

    /// <summary>Null until the input is indexed (the batch left <c>validating</c> in this process).</summary>
    public IndexedLine[]? Lines { get; private set; }
    public bool[] Finished { get; private set; } = [];
    public HashSet<int> Running { get; } = [];
    /// <summary>Lines whose last attempt failed transiently: how often, and when they may run again.</summary>
    public Dictionary<int, (int Attempts, DateTimeOffset NotBefore)> Retries { get; } = [];
    public int Completed { get; private set; }
    public int Failed { get; private set; }
    public int Unfinished => (Lines?.Length ?? Stored.Batch.RequestCounts.Total) - Completed - Failed;

    /// <summary>Charges of this batch's lines found in the audit trail on start (a line charged before a crash): request id → (seq, ε).</summary>
    public Dictionary<string, (long Seq, double Epsilon)> PriorCharges { get; } = new(StringComparer.Ordinal);

    private BatchResultsLog? _log;
    private SafeFileHandle? _input;

    public string ResultsPath => Path.Combine(Directory, "results.jsonl");

    public static BatchRun Create(string root, StoredBatch stored)
    {
        var directory = Path.Combine(root, stored.Batch.Id);
        FileModes.CreatePrivateDirectory(directory);
        var run = new BatchRun(directory, stored);
        run.Save(stored);
        return run;
    }

    public static BatchRun? Load(string directory)
    {
        var path = Path.Combine(directory, "batch.json");
        if (!File.Exists(path))
        {
            return null;
        }

        var stored = JsonSerializer.Deserialize(File.ReadAllBytes(path), BatchJsonContext.Default.StoredBatch);
        return stored is null || !BatchIds.IsBatchId(stored.Batch.Id) ? null : new BatchRun(directory, stored);
    }

    /// <summary>Replaces the stored state durably.</summary>
    public void Save(StoredBatch stored)
    {
        DurableFile.Replace(Path.Combine(Directory, "batch.json"), JsonSerializer.SerializeToUtf8Bytes(stored, BatchJsonContext.Default.StoredBatch));
        Stored = stored;
    }

    /// <summary>Takes the indexed input and opens the results log, learning which lines a previous run finished.</summary>
    public void Begin(IndexedLine[] lines, SafeFileHandle input)
    {
        Lines = lines;
        _input = input;
        Finished = new bool[lines.Length];
        _log = BatchResultsLog.Open(ResultsPath, (index, ok) =>
        {
            if (index >= 0 && index < Finished.Length && !Finished[index])
            {
                Finished[index] = true;
                _ = ok ? Completed++ : Failed++;
            }
        });
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

    /// <summary>Records a finished line durably (results log, fsync) before counting it.</summary>
    public void Finish(int index, bool ok, ReadOnlySpan<byte> entry)
    {
        Running.Remove(index);
        if (Finished[index])
        {
            return;
        }

        _log!.Append(index, ok, entry);
        Finished[index] = true;
        _ = ok ? Completed++ : Failed++;
    }

    /// <summary>Stops holding files open (the batch reached a final status, or the node stops).</summary>
    public void Dispose()
    {
        _log?.Dispose();
        _log = null;
        _input?.Dispose();
        _input = null;
    }

    // A finished batch shows the counts it was finalised with: an expired batch's failed lines include the ones its window closed on.
    public BatchObject View() => Stored.Batch with
    {
        RequestCounts = Lines is null || Terminal ? Stored.Batch.RequestCounts : new BatchRequestCounts(Lines.Length, Completed, Failed),
    };
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

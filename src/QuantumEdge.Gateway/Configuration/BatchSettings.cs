namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// <c>batch</c>: limits of the OpenAI Files and Batch API (the <c>planning</c> permission's work).
/// Uploads are capped in bytes and lines; a <c>basic_planning</c> caller's batches in lines too;
/// batch lines in flight across all batches are capped so interactive traffic keeps the backends.
/// </summary>
public sealed record BatchSettings
{
    /// <summary>Largest accepted upload, in bytes.</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Most lines (requests) one input file may hold.</summary>
    public int MaxLines { get; init; } = 50_000;

    /// <summary>Most lines a caller with only <c>basic_planning</c> may put in one file or batch.</summary>
    public int BasicPlanningMaxLines { get; init; } = 100;

    /// <summary>Batch lines running at once across every batch of the node.</summary>
    public int MaxInFlight { get; init; } = 4;

    /// <summary>
    /// Share of each backend's concurrency kept free for interactive requests. 0.5 is the smallest
    /// reserve that held interactive p99 within 10 % of the no-batch run in the batch benchmark.
    /// </summary>
    public double InteractiveReserve { get; init; } = 0.5;

    /// <summary>
    /// Where uploaded files, batch output files and batches' entries files live (default
    /// <c>&lt;data_dir&gt;/batch/files</c>). With several replicas on one PostgreSQL ledger this must be
    /// one volume every replica mounts: the replica that takes a batch over reads its input and
    /// appends to its entries there.
    /// </summary>
    public string? FilesDir { get; init; }

    internal static BatchSettings Read(YamlSection s)
    {
        var d = new BatchSettings();
        var result = new BatchSettings
        {
            MaxFileBytes = s.Int("max_file_bytes", (int)d.MaxFileBytes, 1024, int.MaxValue),
            MaxLines = s.Int("max_lines", d.MaxLines, 1, 1_000_000),
            BasicPlanningMaxLines = s.Int("basic_planning_max_lines", d.BasicPlanningMaxLines, 1, 1_000_000),
            MaxInFlight = s.Int("max_in_flight", d.MaxInFlight, 1, 10_000),
            InteractiveReserve = s.Double("interactive_reserve", d.InteractiveReserve, 0, 0.95),
            FilesDir = s.OptionalString("files_dir"),
        };
        s.RejectUnknownKeys();
        return result;
    }
}

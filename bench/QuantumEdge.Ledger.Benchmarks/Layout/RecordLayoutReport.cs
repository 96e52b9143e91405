using System.Globalization;

namespace QuantumEdge.Ledger.Benchmarks.Layout;

/// <summary>
/// <c>--layout</c>: CPU and allocation per audit record by LiteDB layout, at the group sizes one connection
/// (≈ 20) and saturation (≈ 150) make. It answers whether packing a commit's records into one document would
/// cut the writer's per-record cost enough to pay for a new storage format (issue 7 item 22).
/// </summary>
internal static class RecordLayoutReport
{
    public static void Run(string root, TextWriter output)
    {
        output.WriteLine("audit records by LiteDB layout (insert, commit, checkpoint; no fsync), one thread, 3 passes each, median:");
        output.WriteLine("| layout | group size | CPU µs/record | allocated B/record | data file B/record |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var groupSize in new[] { 20, 150 })
        {
            foreach (var layout in Enum.GetValues<RecordLayout>())
            {
                var passes = Enumerable.Range(0, 3).Select(_ => RecordLayoutRun.Run(root, layout, groupSize, 150_000))
                    .OrderBy(r => r.CpuMicrosecondsPerRecord).ToList();
                var median = passes[1];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {layout} | {groupSize} | {median.CpuMicrosecondsPerRecord:N1} ({passes[0].CpuMicrosecondsPerRecord:N1}–{passes[2].CpuMicrosecondsPerRecord:N1}) | {median.BytesPerRecord:N0} | {median.FileBytesPerRecord:N0} |"));
            }
        }
    }
}

using QuantumEdge.Benchmarks.Measurement;
using System.Globalization;

namespace QuantumEdge.Ledger.Benchmarks.Allocation;

/// <summary>
/// <c>--alloc</c>: bytes allocated per outcome record when each is its own commit, at a small and a
/// large group size (one connection makes groups of ≈ 25–30, saturation of hundreds), and the split
/// into a per-record and a per-commit part (the 25 and 300 passes solve bytes = r·records + c·commits).
/// LiteDB's skip-list levels come from a fixed-seed generator, so a run repeats to within bytes and two
/// builds compare exactly; a ledger that saw other inserts first has other levels, which moves LiteDB's
/// share by up to ± 1 KB per record.
/// </summary>
internal static class AuditAllocationReport
{
    public static async Task RunAsync(string root, bool sampleTypes, TextWriter output)
    {
        var sampler = sampleTypes ? new AllocationSampler() : null;
        var single = await AuditAllocationRun.RunAsync(root, 1, 2000, sampler).ConfigureAwait(false);
        var small = await AuditAllocationRun.RunAsync(root, 25, 480, sampler).ConfigureAwait(false);
        var large = await AuditAllocationRun.RunAsync(root, 300, 40, sampler).ConfigureAwait(false);
        output.WriteLine("audit outcome records (deferrable RecordAsync, the public path's call), bytes allocated by all threads:");
        output.WriteLine("| group size | records | commits | B/record | of which the writer thread | process CPU µs/record |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var r in new[] { single, small, large })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.RecordsPerCommit:0} | {r.Records:N0} | {r.Commits:N0} | {r.BytesPerRecord:N0} | {r.WriterBytesPerRecord:N0} | {r.CpuMicrosecondsPerRecord:N1} |"));
        }

        // bytes/record = perRecord + perCommit / groupSize, measured at two group sizes.
        var perCommit = (small.BytesPerRecord - large.BytesPerRecord) / (1 / small.RecordsPerCommit - 1 / large.RecordsPerCommit);
        var perRecord = large.BytesPerRecord - perCommit / large.RecordsPerCommit;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"split: ≈ {perRecord:N0} B per record + {perCommit:N0} B per commit"));
        if (sampler is not null)
        {
            output.WriteLine();
            output.WriteLine("most allocated types (allocation-tick samples, all passes):");
            foreach (var (type, share) in sampler.Stop(25))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {share,6:P1}  {type}"));
            }
        }
    }
}

using System.Globalization;
using QuantumEdge.Batch.Benchmarks;

// Batch scheduling into spare capacity, in virtual time on simulated backends (issue 12, "Measured"):
// interactive first-token p50/p99 with and without a batch running, and the batch's makespan with the
// scheduler's joint placement vs first-come-first-served placement. Deterministic for a seed; always
// exits 0 once it ran.
var settings = BenchSettings.Parse(args, out var error);
if (settings is null)
{
    Console.Error.WriteLine(error ?? "");
    Console.Error.WriteLine(BenchSettings.Usage);
    return error is null ? 0 : 2;
}

var inv = CultureInfo.InvariantCulture;
var workload = new Workload(settings.Lines, settings.Questions, settings.InteractivePerSecond, horizonSeconds: 7200, settings.Seed);
var simulation = new ClusterSimulation(workload, settings.Backends, settings.Concurrency, settings.KvCacheTokens, settings.TickMs);
Console.WriteLine("QuantumEdge batch scheduling benchmark (virtual time: figures do not depend on this machine's load)");
Console.WriteLine(string.Create(inv, $"  backends: {settings.Backends} × simulated vLLM profile, max_concurrency {settings.Concurrency}, KV prefix cache {settings.KvCacheTokens} tokens each (LRU, beyond running requests)"));
Console.WriteLine(string.Create(inv, $"  interactive: Poisson {settings.InteractivePerSecond} req/s, prompt 200–600 tokens, output 80–160, least-loaded routing; first token = slot wait + simulated TTFT"));
Console.WriteLine($"  batch: {workload.Description}");
Console.WriteLine(string.Create(inv, $"  executor tick {settings.TickMs} ms; same headroom rule for both placements; seed {settings.Seed}"));
Console.WriteLine();

var runs = settings.Reserves.Select(r => (Reserve: r, Joint: simulation.Run(BatchMode.Joint, r, double.MaxValue), Fcfs: simulation.Run(BatchMode.FirstComeFirstServed, r, double.MaxValue))).ToList();
var baseline = simulation.Run(BatchMode.None, 0, runs.Max(r => Math.Max(r.Joint.MakespanMs, r.Fcfs.MakespanMs)));

Console.WriteLine("reserve | interactive TTFT p50 / p99 ms: no batch → with batch | p99 ratio (target ≤ 1.10) | makespan s: joint / FCFS (ratio) | prefix hits: joint / FCFS | solves, mean scheduler ms/call");
foreach (var (reserve, joint, fcfs) in runs)
{
    var (baseP50, baseP99) = Percentiles(baseline.Interactive, joint.MakespanMs);
    var (withP50, withP99) = Percentiles(joint.Interactive, joint.MakespanMs);
    var ratio = withP99 / baseP99;
    Console.WriteLine(string.Create(inv,
        $"{reserve,7:0.00} | {baseP50,6:0} / {baseP99,6:0} → {withP50,6:0} / {withP99,6:0} | {ratio,5:0.00} {(ratio <= 1.10 ? "PASS" : "MISS")} | " +
        $"{joint.MakespanMs / 1000,6:0.0} / {fcfs.MakespanMs / 1000,6:0.0} ({joint.MakespanMs / fcfs.MakespanMs:0.00}) | " +
        $"{HitRate(joint):0%} / {HitRate(fcfs):0%} | {joint.Solves}, {joint.SchedulingWallMs / Math.Max(1, joint.SchedulingCalls):0.00}"));
    if (joint.QueuedBatchStarts + fcfs.QueuedBatchStarts > 0)
    {
        Console.WriteLine($"        NOTE: {joint.QueuedBatchStarts} joint / {fcfs.QueuedBatchStarts} FCFS batch lines found no free slot on their backend (headroom overrun)");
    }
}

return 0;

static (double P50, double P99) Percentiles(List<(double ArrivalMs, double FirstTokenMs)> samples, double windowMs)
{
    var values = samples.Where(s => s.ArrivalMs <= windowMs).Select(s => s.FirstTokenMs).Order().ToArray();
    return values.Length == 0 ? (double.NaN, double.NaN) : (At(values, 0.50), At(values, 0.99));

    static double At(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static double HitRate(SimResult r) => r.PrefixHits + r.PrefixMisses == 0 ? 0 : (double)r.PrefixHits / (r.PrefixHits + r.PrefixMisses);

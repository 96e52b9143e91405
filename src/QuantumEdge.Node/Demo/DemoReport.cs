using System.Globalization;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Demo;

/// <summary>The demo's readable report: traffic, latency per node and backend, refusals and why.</summary>
internal sealed class DemoReport
{
    private readonly List<string> _lines = [];

    /// <summary>True when something happened that the demo treats as a defect (unexpected 5xx, a request routed against the rules).</summary>
    public bool Failed { get; private set; }

    /// <summary>Marks the run failed from a later act of the demo (e.g. lending).</summary>
    internal void Fail() => Failed = true;
    public int Requests { get; private set; }
    public int Succeeded { get; private set; }
    public IReadOnlyDictionary<string, int> Refusals { get; private set; } = new Dictionary<string, int>();
    /// <summary>The greedy-vs-joint-planning phase, once it has run.</summary>
    public IReadOnlyList<PlannerComparison.Outcome> PlannerComparison { get; set; } = [];

    public static async Task<DemoReport> BuildAsync(IReadOnlyList<DemoResult> results, IReadOnlyList<GatewayNode> nodes, TimeSpan elapsed)
    {
        var r = new DemoReport { Requests = results.Count, Succeeded = results.Count(x => x.Status == 200) };
        var l = r._lines;
        l.Add("");
        l.Add($"== Report: {results.Count} requests in {elapsed.TotalSeconds:F1} s, {r.Succeeded} answered, {results.Count - r.Succeeded} refused or failed ==");
        l.Add("");
        l.Add("Per node                requests   ok   p50 ms   p95 ms   p99 ms   first byte p50 ms (streams)");
        foreach (var group in results.GroupBy(x => x.Request.Node).OrderBy(g => g.Key))
        {
            var ok = group.Where(x => x.Status == 200).ToList();
            var streams = ok.Where(x => x.Request.Stream).Select(x => x.FirstByteMs).ToList();
            l.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {group.Key,-20} {group.Count(),8} {ok.Count,4} {P(ok.Select(x => x.LatencyMs), 50),8:F1} {P(ok.Select(x => x.LatencyMs), 95),8:F1} {P(ok.Select(x => x.LatencyMs), 99),8:F1}   {P(streams, 50),8:F1}"));
        }

        l.Add("");
        l.Add("Per backend             requests   p50 ms   p95 ms   classifications served");
        foreach (var group in results.Where(x => x.Backend is not null).GroupBy(x => x.Backend!).OrderBy(g => g.Key))
        {
            var classes = string.Join(",", group.Select(x => x.Request.Classification.Length == 0 ? "(none)" : x.Request.Classification).Distinct().Order(StringComparer.Ordinal));
            l.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {group.Key,-20} {group.Count(),8} {P(group.Select(x => x.LatencyMs), 50),8:F1} {P(group.Select(x => x.LatencyMs), 95),8:F1}   {classes}"));
        }

        var refusals = results.Where(x => x.Status != 200)
            .GroupBy(x => $"{x.Status} {x.ErrorCode}")
            .OrderByDescending(g => g.Count())
            .ToDictionary(g => g.Key, g => g.Count());
        r.Refusals = refusals;
        l.Add("");
        l.Add("Refusals and failures   count   why");
        foreach (var (key, count) in refusals)
        {
            l.Add($"  {key,-22} {count,5}   {Explain(key)}");
        }

        if (refusals.Count == 0)
        {
            l.Add("  (none)");
        }

        l.Add("");
        l.Add("Privacy budgets today   department   users  charged   ε spent   lowest remaining / budget");
        var auditOk = true;
        foreach (var node in nodes)
        {
            var budgets = await node.Ledger.ListBudgetsAsync().ConfigureAwait(false);
            foreach (var dep in budgets.GroupBy(b => b.Department ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                l.Add(string.Create(CultureInfo.InvariantCulture,
                    $"  {node.Config.Node.Id,-20}  {dep.Key,-11} {dep.Count(),6} {dep.Sum(b => b.State.Queries),8} {dep.Sum(b => b.Spent),9:F3}   {dep.Min(b => b.Remaining),7:F3} / {dep.First().Budget:F2}"));
            }
        }

        l.Add("");
        l.Add("Audit trail");
        foreach (var node in nodes)
        {
            var verification = await node.Ledger.VerifyAsync().ConfigureAwait(false);
            auditOk &= verification.IsValid;
            l.Add($"  {node.Config.Node.Id,-20}  {verification}");
        }

        // Fail-closed check: PHI must never have reached a backend that does not allow restricted data.
        var allowed = nodes.SelectMany(n => n.Backends.All).ToDictionary(b => b.Id, b => b);
        var leaks = results.Count(x => x.Status == 200 && x.Backend is not null
            && x.Request.Classification is "phi" or "" && !allowed[x.Backend].Permits(Gateway.Classification.DataClassification.Restricted));
        var unexpected = results.Count(x => x.Status >= 500 && x.ErrorCode != "no_permitted_backend");
        l.Add("");
        l.Add($"Classification rule: {leaks} restricted requests reached a backend not cleared for them (must be 0).");
        l.Add($"Unexpected server errors: {unexpected}.");
        r.Failed = leaks > 0 || unexpected > 0 || r.Succeeded == 0 || !auditOk;
        return r;
    }

    /// <summary>Marks the run failed for a part reported after this report (the federation scenario).</summary>
    internal void MarkFailed() => Failed = true;

    public void Print(TextWriter output)
    {
        foreach (var line in _lines)
        {
            output.WriteLine(line);
        }
    }

    private static string Explain(string key) => key switch
    {
        _ when key.Contains("no_permitted_backend", StringComparison.Ordinal) => "no backend on that node is cleared for the data class (fail closed)",
        _ when key.StartsWith("401", StringComparison.Ordinal) => "missing, expired or invalid token",
        _ when key.StartsWith("403", StringComparison.Ordinal) => "role lacks the permission",
        _ when key.StartsWith("429", StringComparison.Ordinal) => "privacy budget or rate limit",
        _ when key.StartsWith("503", StringComparison.Ordinal) => "no healthy backend with capacity",
        _ => "",
    };

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    internal static double P(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

using System.Text.RegularExpressions;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Benchmarks;

namespace QuantumEdge.Planning.Gpu.Tests.Bench;

/// <summary>
/// Keeps bench/gpu/run.sh from rotting: the bench tool, with the arguments run.sh passes, runs every
/// part in quick mode on ILGPU's CPU accelerator (the real planner process included, for the IPC
/// part) and writes a report with every section, numbers in each, and parity holding.
/// </summary>
public sealed partial class GpuBenchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qe-gpu-bench-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_quick_run_on_the_cpu_accelerator_writes_every_section_with_numbers_and_parity_holds()
    {
        var path = Path.Combine(_directory, "report", "gpu-bench.md");
        var options = BenchOptions.Parse(["--accelerator", "cpu", "--quick", "--parts", string.Join(",", BenchParts.Names), "--part-seconds", "120", "--out", path,
            "--gset", Path.Combine(AppContext.BaseDirectory, "gset"), "--planner", Path.Combine(AppContext.BaseDirectory, "quantumedge-planner")]);
        using var progress = new StringWriter();

        var report = GpuBench.Run(options, progress);
        ReportFile.Write(path, report.Markdown);

        var failed = report.Sections.Where(s => !s.Passed).Select(s => s.Markdown);
        Assert.True(report.Succeeded, string.Join("\n", failed));
        string[] titles = ["Device", "Parity", "Dense SB throughput", "Dense-SB roofline", "Assignment throughput", "Gset at 100 ms", "CPU/device crossover", "IPC overhead"];
        Assert.Equal(titles, report.Sections.Select(s => s.Title));
        var written = File.ReadAllText(path);
        Assert.Equal(report.Markdown, written);
        Assert.Contains("NOT a GPU", written, StringComparison.Ordinal);
        foreach (var title in titles)
        {
            Assert.Contains($"## {title}\n", written, StringComparison.Ordinal);
        }

        string Body(string title) => report.Sections.Single(s => s.Title == title).Body;
        Assert.Contains("parity: holds", Body("Parity"), StringComparison.Ordinal);
        Assert.DoesNotContain("DIFFERENT", Body("Parity"), StringComparison.Ordinal);
        // Every measured row ends in a positive rate: "123.45 k" spin or variable updates per second.
        Assert.Equal(4, RateRow().Matches(Body("Dense SB throughput")).Count);
        Assert.Equal(2, RateRow().Matches(Body("Assignment throughput")).Count);
        Assert.Contains("B = 4·n/A + 32", Body("Dense-SB roofline"), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^128\s+32\s+48\.0\s+1056\s", Body("Dense-SB roofline"));
        Assert.Matches(@"(?m)^G1\s+800\s+11624\s+\d+\s+\d+\.\d\d\s+\d+\s+\d+\s+\d+\.\d\d\s+\d+$", Body("Gset at 100 ms"));
        Assert.Matches(@"crossover in process: (\d+ variables|none up to 104 variables)", Body("CPU/device crossover"));
        Assert.Matches(@"crossover through the planner process \(the figure for quantum_planning.gpu.min_variables\): (\d+ variables|none up to 104 variables)", Body("CPU/device crossover"));
        Assert.Matches(@"(?m)^32×4\s+104(\s+\d+\.\d{3}( g1)?\s+\d+\s+\d+\.\d){2}\s+[01]-[01]-[01]\s+\d+\.\d{3}( g1)?\s+\d+\s+\d+\.\d\s+\d+\.\d\s+[01]-[01]-[01]$", Body("CPU/device crossover"));
        Assert.Matches(@"(?m)^IPC overhead \(round trip − planner solve\)\s+12\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}$", Body("IPC overhead"));
    }

    [Fact]
    public void The_crossover_is_the_smallest_size_from_which_the_device_wins_or_ties_every_larger_size_with_a_win()
    {
        const CrossoverOutcome W = CrossoverOutcome.Win, T = CrossoverOutcome.Tie, L = CrossoverOutcome.Loss;
        Assert.Equal(400, CrossoverPart.Crossover([(100, W), (200, L), (400, W), (800, W)]));
        Assert.Null(CrossoverPart.Crossover([(100, W), (200, W), (400, L)]));
        Assert.Equal(100, CrossoverPart.Crossover([(100, W), (200, W)]));
        // The first H200 runs: every solver ran no step at the largest size and returned the same plan.
        Assert.Equal(800, CrossoverPart.Crossover([(400, L), (800, W), (3200, W), (200_000, T)]));
        Assert.Null(CrossoverPart.Crossover([(100, L), (200, T), (400, T)]));
        Assert.Null(CrossoverPart.Crossover([]));
    }

    [Fact]
    public void A_lower_objective_wins_a_higher_one_loses_and_the_same_one_ties_however_fast()
    {
        var cpu = Plan(10.0, PlanOrigin.Bifurcation, steps: 0);

        Assert.Equal(CrossoverOutcome.Win, CrossoverPart.Compare(Plan(9.5, PlanOrigin.Bifurcation, 12), cpu));
        Assert.Equal(CrossoverOutcome.Loss, CrossoverPart.Compare(Plan(10.5, PlanOrigin.Bifurcation, 12), cpu));
        Assert.Equal(CrossoverOutcome.Tie, CrossoverPart.Compare(Plan(10.0, PlanOrigin.Bifurcation, 12), cpu));
        Assert.Equal(CrossoverOutcome.Tie, CrossoverPart.Compare(Plan(10.0 + 1e-12, PlanOrigin.Greedy, 0), cpu));
        Assert.Equal(CrossoverOutcome.Win, CrossoverPart.Verdict(wins: 2, losses: 1));
        Assert.Equal(CrossoverOutcome.Tie, CrossoverPart.Verdict(wins: 0, losses: 0));
        Assert.Equal(CrossoverOutcome.Loss, CrossoverPart.Verdict(wins: 2, losses: 3));
    }

    private static AssignmentPlan Plan(double objective, PlanOrigin origin, long steps) =>
        new([0], objective, objective, 10.0, 0, 1, origin, false, true, 0, steps, 100, 0);

    [Theory]
    [InlineData("--parts dense,roofs", "unknown: 'roofs'")]
    [InlineData("--part-seconds 0", "--part-seconds must be")]
    [InlineData("--quick --out", "--out needs a value")]
    [InlineData("--fast", "unknown argument '--fast'")]
    public void Bad_arguments_are_refused_with_the_problem_named(string line, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(line.Split(' ')));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?m)\s\d+(\.\d+)? [kMGT]?$")]
    private static partial Regex RateRow();
}

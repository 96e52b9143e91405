using QuantumEdge.Node.Tests.Cli;

namespace QuantumEdge.Node.Tests.Demo;

/// <summary>The main job runs on embedded defaults, with no files, and reports what happened.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_runs_three_nodes_and_reports_refusals_and_latency()
    {
        var r = await QuantumEdgeProcess.RunAsync(["demo", "--requests", "120", "--seed", "7"], timeout: TimeSpan.FromSeconds(180));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var node in new[] { "hospital-a", "hospital-b", "hospital-c" })
        {
            Assert.Contains(node, r.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Per backend", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("no_permitted_backend", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 restricted requests reached a backend not cleared for them", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Privacy budgets today", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("research", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, r.Stdout.Split('\n').Count(line => line.Contains("audit chain OK", StringComparison.Ordinal)));
        Assert.Matches(@"Submitted batch batch_\w+ at hospital-a: 24 lines", r.Stdout);
        Assert.Matches(@"Batch at hospital-a \(submitted with the interactive traffic\): completed, 24 of 24 lines completed, 0 failed", r.Stdout);
        Assert.Matches(@"batch planning: [1-9]\d* placement solves, last [1-9]\d* lines x [1-9] backends", r.Stdout);
        Assert.Contains("Joint planning vs greedy", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"least_loaded\s+160\s", r.Stdout);
        Assert.Matches(@"quantum\s+160\s", r.Stdout);
        Assert.Contains("measured: joint planning changed first-token p50", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("converged: every hospital holds every hospital's newest envelope", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"hospital-a's federation insights .*contributors: hospital-b, hospital-c", r.Stdout);
        // How many peers' cells survive the noise varies from run to run; that the count is reported does not.
        Assert.Matches(@"per model clinical-7b: [0-2] peers contributed", r.Stdout);
        Assert.Matches(@"per model embed-small: [0-2] peers contributed", r.Stdout);
        Assert.Matches(@"forged envelope \(hospital-b's, seq changed to \d+ after signing\) -> 401 bad_signature", r.Stdout);
        Assert.Matches(@"replayed envelope \(hospital-b's seq \d+, already held\) -> 409 replay", r.Stdout);
        foreach (var node in new[] { "hospital-a", "hospital-b", "hospital-c" })
        {
            Assert.Matches($@"{node}: \d+ receipts from hospital-[abc], hospital-[abc] verify against the local chain", r.Stdout);
        }

        Assert.Contains("lending: OK (public overflow borrowed, phi stayed home)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("RESULT: OK", r.Stdout, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using QuantumEdge.Planning.Instances;
using static QuantumEdge.Node.Tests.Cli.PlanOnPlannerTests;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// <c>quantumedge plan solve --device gpu|auto</c> when the planner process is missing, dead, or
/// killed mid-solve: a refusal naming the socket (exit 1) for gpu, the CPU for auto, and a CPU answer
/// within the budget after a crash. Each test has its own planner, since each ends it.
/// </summary>
public sealed class PlanOnPlannerFailureTests : IDisposable
{
    private readonly PlannerProcess _planner = new();

    public void Dispose() => _planner.Dispose();

    [Fact]
    public async Task Gpu_with_no_planner_exits_1_naming_the_socket_and_auto_solves_on_the_cpu()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"qe-no-planner-{Guid.NewGuid():N}.sock");
        var gpu = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", GsetFile("G1.txt"), "--device", "gpu", "--planner-socket", socket, "--time-limit-ms", "200", "--json"]);
        Assert.Equal(1, gpu.ExitCode);
        Assert.Contains($"no GPU planner process answers at '{socket}'", gpu.Stderr, StringComparison.Ordinal);
        Assert.Equal("", gpu.Stdout);

        // A socket file nobody listens on (a planner that died without removing it) is refused the same way.
        _planner.Kill();
        var dead = await QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", GsetFile("G1.txt"), "--device", "gpu", "--planner-socket", _planner.SocketPath, "--time-limit-ms", "200"]);
        Assert.Equal(1, dead.ExitCode);
        Assert.Contains(_planner.SocketPath, dead.Stderr, StringComparison.Ordinal);

        var auto = await Solve("--gset", GsetFile("G1.txt"), "auto", socket, timeLimitMs: 200);
        Assert.Equal("cpu", auto.GetProperty("device").GetString());
        Assert.Equal("unavailable", auto.GetProperty("planner").GetProperty("fallback").GetString());
    }

    [Fact]
    public async Task Killing_the_planner_mid_solve_answers_from_the_cpu_within_the_budget()
    {
        var path = GsetFile("G1.txt");
        var instance = GsetParser.ParseFile(path);
        var running = QuantumEdgeProcess.RunAsync(["plan", "solve", "--gset", path, "--device", "gpu", "--planner-socket", _planner.SocketPath, "--time-limit-ms", "30000", "--json"], timeout: TimeSpan.FromMinutes(3));

        await _planner.WaitUntilSolvingAsync(running);

        if (running.IsCompleted)
        {
            var early = await running;
            Assert.Fail($"the solve ended before the planner could be killed: exit {early.ExitCode}, {early.Stdout} {early.Stderr}");
        }

        _planner.Kill();
        var r = await running;

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal("crash", root.GetProperty("planner").GetProperty("fallback").GetString());
        var x = Solution(root);
        Assert.Equal(instance.Edges.Where(e => x[e.I] != x[e.J]).Sum(e => e.Weight), root.GetProperty("objective").GetDouble());
        Assert.True(root.GetProperty("steps").GetInt64() > 0);
    }
}

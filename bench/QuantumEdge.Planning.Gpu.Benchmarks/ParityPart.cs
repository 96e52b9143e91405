using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// Device solvers against the CPU solvers on fixed instances and seeds. The two draw different
/// random starts, so parity is: the same objective on small instances (where both must find the
/// optimum), and on larger ones the device's cut at least 99% of the CPU's and its plan objective
/// at most 3% above the CPU's — the tolerances the GPU planner's tests document.
/// </summary>
internal static class ParityPart
{
    public const double CutTolerance = 0.01;
    public const double PlanTolerance = 0.03;

    public static BenchSection Run(BenchContext context)
    {
        var table = new TextTable("check", "device", "cpu", "rule", "verdict");
        var held = true;
        var clock = Stopwatch.StartNew();
        void Row(string check, double device, double cpu, string rule, bool ok)
        {
            held &= ok;
            table.Add(check, Format(device, "F3"), Format(cpu, "F3"), rule, ok ? "same" : "DIFFERENT");
            context.Log($"parity {check}: device {Format(device, "F3")} cpu {Format(cpu, "F3")} {(ok ? "ok" : "DIFFERENT")} (at {Format(clock.Elapsed.TotalSeconds, "F1")} s)");
        }

        var ising = new DeviceIsingSolver(context.Accelerator);
        var small = new BifurcationSettings { Agents = 16, StepsPerRound = 150, MaxRounds = 2, Parallelism = 1, Seed = 7, TimeLimit = TimeSpan.FromMinutes(5) };
        foreach (var (variant, layout) in new[] { (BifurcationVariant.Discrete, CouplingLayout.Sparse), (BifurcationVariant.Ballistic, CouplingLayout.Dense) })
        {
            foreach (var seed in context.Quick ? new[] { 1 } : [1, 2, 3, 4])
            {
                var (model, _) = BenchInstances.MaxCut(seed, n: 14, density: 0.5);
                var settings = small with { Variant = variant };
                var device = ising.Solve(model, settings, layout);
                var cpu = SimulatedBifurcationSolver.Solve(model, settings);
                var consistent = Math.Abs(device.BestObjective - model.Objective(device.BestSpins)) < 1e-6;
                Row($"MaxCut n=14 seed {seed}, {variant} {layout}", device.BestObjective, cpu.BestObjective, "equal", consistent && Math.Abs(device.BestObjective - cpu.BestObjective) < 1e-6);
            }
        }

        var (largeName, largeCut) = context.Quick
            ? ("MaxCut n=40 density 0.3", BenchInstances.MaxCut(11, 40, 0.3).Cut)
            : ("Gset G1 (n=800)", GsetParser.ParseFile(Path.Combine(context.Options.GsetDirectory, "G1.txt")));
        var largeModel = largeCut.ToIsing();
        var large = small with { Agents = context.Quick ? 16 : 64, StepsPerRound = context.Quick ? 150 : 1000, MaxRounds = 1 };
        var deviceLarge = ising.Solve(largeModel, large);
        var cpuLarge = SimulatedBifurcationSolver.Solve(largeModel, large);
        Row($"{largeName}, dSB seed 7", deviceLarge.BestObjective, cpuLarge.BestObjective, "cut ≥ 99% of cpu",
            Math.Abs(deviceLarge.BestObjective - largeCut.CutValue(deviceLarge.BestSpins)) < 1e-6 && deviceLarge.BestObjective >= (1 - CutTolerance) * cpuLarge.BestObjective);

        var assignment = new DeviceAssignmentSolver(context.Accelerator);
        var planner = new AssignmentPlanner();
        var fixedPlan = new PlannerSettings { Agents = 16, StepsPerRound = 60, MaxContinuations = 0, TimeBudget = TimeSpan.FromMinutes(2), Seed = 3 };
        foreach (var seed in context.Quick ? new[] { 1, 2 } : [1, 2, 3, 4, 5, 6])
        {
            var problem = BenchInstances.Routing(seed, tasks: 6, backends: 3, slack: 1.2);
            var device = assignment.Solve(problem, fixedPlan);
            var cpu = planner.Plan(problem, fixedPlan);
            var consistent = device.CapacityRespected && Math.Abs(device.Objective - problem.Objective([.. device.BackendOfTask])) < 1e-6;
            Row($"assignment 6×3 seed {seed}", device.Objective, cpu.Objective, "equal", consistent && Math.Abs(device.Objective - cpu.Objective) < 1e-6);
        }

        var (tasks, backends) = context.Quick ? (24, 4) : (256, 16);
        var routing = BenchInstances.Routing(9, tasks, backends);
        var routingSettings = fixedPlan with { Agents = context.Quick ? 16 : 64, StepsPerRound = context.Quick ? 60 : 200 };
        var devicePlan = assignment.Solve(routing, routingSettings);
        var cpuPlan = planner.Plan(routing, routingSettings);
        Row($"assignment {tasks}×{backends} seed 9", devicePlan.Objective, cpuPlan.Objective, "≤ cpu + 3%",
            devicePlan.CapacityRespected && devicePlan.Objective <= cpuPlan.Objective + (PlanTolerance * Math.Abs(cpuPlan.Objective)));

        var body = $"Fixed instances and seeds; objectives are cuts (MaxCut, higher is better) or plan objectives (assignment, lower is better).\n"
            + $"Tolerances: small instances equal to 1e-6; larger ones device cut ≥ {Format(100 - (CutTolerance * 100), "F0")}% of the CPU's, device plan ≤ CPU plan + {Format(PlanTolerance * 100, "F0")}% "
            + "(the device and the CPU draw different random starts; measured spread ±2% seed to seed).\n\n"
            + $"```\n{table}```\n\nparity: {(held ? "holds" : "FAILED")}\n";
        return new BenchSection("Parity", body, held);
    }
}

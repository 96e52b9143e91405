using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Solvers;

namespace QuantumEdge.Planning.Gpu.Tests.Solvers;

/// <summary>
/// The device assignment planner against the CPU planner on fixed seeds: the same objective on
/// tiny problems, within 3% on a routing-sized one. The two draw different random starts, and on
/// 48×6 routing batches either side's plan varies by about ±2% from seed to seed (measured over
/// 4 problems × 2 seeds: the device was better in 4 of 8), hence the tolerance.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class DeviceAssignmentSolverTests(CpuAccelerator cpu)
{
    private static readonly PlannerSettings Fixed = new()
    {
        Agents = 16,
        StepsPerRound = 60,
        MaxContinuations = 0,
        TimeBudget = TimeSpan.FromMinutes(2),
        Seed = 3,
    };

    [Fact]
    public void Tiny_problems_get_the_same_plan_objective_as_the_cpu_planner()
    {
        var solver = new DeviceAssignmentSolver(cpu.Accelerator);
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var problem = Assignments.Routing(seed, tasks: 6, backends: 3, slack: 1.2);
            var optimum = Assignments.BruteForce(problem);

            var device = solver.Solve(problem, Fixed);
            var host = new AssignmentPlanner().Plan(problem, Fixed);

            Assert.True(device.CapacityRespected);
            Assert.True(device.Objective >= optimum - 1e-9);
            Assert.Equal(host.Objective, device.Objective, 6);
            Assert.Equal(device.Objective, problem.Objective([.. device.BackendOfTask]), 6);
        }
    }

    [Fact]
    public void A_routing_batch_comes_within_three_percent_of_the_cpu_plan_and_never_loses_to_greedy()
    {
        var problem = Assignments.Routing(seed: 9, tasks: 24, backends: 4);
        var settings = Fixed with { Agents = 16 };

        var device = new DeviceAssignmentSolver(cpu.Accelerator).Solve(problem, settings);
        var host = new AssignmentPlanner().Plan(problem, settings);

        Assert.True(device.CapacityRespected);
        Assert.True(device.Objective <= device.GreedyObjective + 1e-9);
        Assert.True(device.Objective <= host.Objective + (0.03 * Math.Abs(host.Objective)), $"device {device.Objective} vs cpu {host.Objective}");
        Assert.Equal(16, device.Agents);
    }

    [Fact]
    public void A_problem_too_large_for_a_full_anneal_is_never_planned_worse_than_its_seed_plan_after_1_opt()
    {
        // 26,000 variables annealed for 12 steps: on the first H200 runs such short anneals decoded
        // to plans about 1 % worse than the greedy plan after 1-opt, which the CPU returns there.
        var problem = Assignments.Routing(seed: 2026, tasks: 1024, backends: 32);
        var seed = new AssignmentState(problem);
        GreedyAssigner.Build(seed, new CapacityRepair());
        OneOptImprover.Improve(seed);
        var polishedSeed = problem.ObjectiveUnchecked(seed.BackendOf);

        var device = new DeviceAssignmentSolver(cpu.Accelerator).Solve(problem, Fixed with { StepsPerRound = 12 });

        Assert.True(device.CapacityRespected);
        Assert.True(device.Objective <= polishedSeed + 1e-9, $"device {device.Objective} vs the seed plan after 1-opt {polishedSeed}");
    }
}

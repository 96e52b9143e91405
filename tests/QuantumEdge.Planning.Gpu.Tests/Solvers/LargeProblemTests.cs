using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Gpu.Tests.Solvers;

/// <summary>
/// Problems with more than 65,535 rows (spins, variables). The kernels were launched over a
/// two-dimensional index (agents × rows), and a second grid dimension is at most 65,535 groups on
/// CUDA and on ILGPU's CPU accelerator: every such solve failed with "Invalid grid dimensions" (the
/// planner answered an error and the node fell back to the CPU). The launch index is one-dimensional now.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class LargeProblemTests(CpuAccelerator cpu)
{
    private const int Rows = 70_000;

    [Fact]
    public void An_ising_model_with_more_than_65535_spins_is_solved()
    {
        // A ring: each node joined to the next with weight 1 (an even ring's maximum cut is every edge).
        var ring = new MaxCutInstance(Rows, Enumerable.Range(0, Rows).Select(i => new WeightedEdge(i, (i + 1) % Rows, 1)));
        var model = ring.ToIsing();
        var settings = new BifurcationSettings { Agents = 2, StepsPerRound = 4, MaxRounds = 1, Parallelism = 1, Seed = 1, TimeLimit = TimeSpan.FromMinutes(5) };

        var result = new DeviceIsingSolver(cpu.Accelerator).Solve(model, settings, CouplingLayout.Sparse);

        Assert.Equal(Rows, result.BestSpins.Length);
        Assert.True(result.Steps > 0);
        Assert.Equal(ring.CutValue(result.BestSpins), model.ObjectiveFromEnergy(model.Energy(result.BestSpins)), 6);
        Assert.True(ring.CutValue(result.BestSpins) > Rows / 2, $"cut {ring.CutValue(result.BestSpins)} of {Rows} edges");
    }

    [Fact]
    public void An_assignment_problem_with_more_than_65535_variables_is_planned()
    {
        var problem = Assignments.Routing(seed: 4, tasks: 20_000, backends: 5);
        Assert.True(problem.VariableCount > 65_535, $"{problem.VariableCount} variables");
        var settings = new PlannerSettings { Agents = 2, StepsPerRound = 4, MaxContinuations = 0, TimeBudget = TimeSpan.FromMinutes(5), Seed = 1 };

        var plan = new DeviceAssignmentSolver(cpu.Accelerator).Solve(problem, settings);

        Assert.Equal(problem.TaskCount, plan.BackendOfTask.Count);
        Assert.Equal(plan.Objective, problem.Objective([.. plan.BackendOfTask]), 6);
        Assert.True(plan.Objective <= plan.GreedyObjective + 1e-9);
    }
}

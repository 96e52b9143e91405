using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Remote;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Tests.Remote;

public sealed class PlannerMessagesTests
{
    [Fact]
    public void An_assignment_request_round_trips_to_the_same_problem_and_settings()
    {
        var problem = RandomInstances.Assignment(new Random(5), 9, 4);
        var settings = new PlannerSettings { Agents = 24, Seed = 9, TimeBudget = TimeSpan.FromMilliseconds(37.5), PenaltyMultiplier = 2.5 };

        var frame = PlannerMessages.SolveAssignment(3, problem, settings);
        var (decoded, decodedSettings) = PlannerMessages.ReadSolveAssignment(frame.Span[9..]);

        Assert.Equal(settings, decodedSettings);
        Assert.Equal(problem.VariableCount, decoded.VariableCount);
        Assert.Equal(problem.VariableLoad, decoded.VariableLoad);
        Assert.Equal(problem.VariableCost, decoded.VariableCost);
        Assert.Equal(problem.Couplings, decoded.Couplings);
        var plan = GreedyAssigner.Assign(problem);
        Assert.Equal(problem.Objective(plan), decoded.Objective(plan));
    }

    [Fact]
    public void A_result_naming_a_forbidden_backend_is_refused()
    {
        var builder = new AssignmentProblemBuilder(2);
        builder.AddTask([new PermittedBackend(0, 1)]);
        var problem = builder.Build();
        var forged = new AssignmentPlan([1], 0, 0, 0, 0, 1, PlanOrigin.Bifurcation, false, true, 0, 1, 8, 1);

        var error = Assert.Throws<PlannerProtocolException>(() => PlannerMessages.ReadAssignmentResult(PlannerMessages.AssignmentResult(1, forged).Span[9..], problem));

        Assert.Contains("does not permit", error.Message);
    }

    [Fact]
    public void Counts_larger_than_the_frame_are_refused_before_allocating()
    {
        var problem = RandomInstances.Assignment(new Random(6), 4, 2);
        var body = PlannerMessages.SolveAssignment(1, problem, new PlannerSettings()).ToArray()[9..];

        // The task count sits after the budget and the settings: 8 + 45 bytes in.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(53), int.MaxValue);
        var error = Assert.Throws<PlannerProtocolException>(() => PlannerMessages.ReadSolveAssignment(body));

        Assert.Contains("task count", error.Message);
    }

    [Fact]
    public void An_ising_result_gets_its_objective_from_its_spins_not_from_the_planner()
    {
        var instance = RandomInstances.MaxCut(new Random(7), 10);
        var model = instance.ToIsing();
        var spins = RandomInstances.Spins(new Random(8), 10);
        var claimed = new SolverResult(1e9, spins, 1, 10, 8, 1, 1, 2, []);

        var result = PlannerMessages.ReadIsingResult(PlannerMessages.IsingResult(1, claimed).Span[9..], model);

        Assert.Equal(instance.CutValue(spins), result.BestObjective);
        Assert.Equal(spins, result.BestSpins);
    }
}

using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Gateway.Tests.Planning;

/// <summary>The route planner's seam to its solver: whatever the solver does, every batch is answered.</summary>
public class RoutePlannerSolverTests
{
    /// <summary>Four requests, the capacity of one backend, so that a plan may put all of them on one.</summary>
    private static readonly PlannerOptions Options = PlannerTestBed.Batched with { MaxBatch = 4, SolveBudget = TimeSpan.FromSeconds(1) };

    private static RouteRequest[] Batch() => [.. Enumerable.Range(0, 4).Select(i => PlannerTestBed.Request(session: $"s{i % 3}", prefix: (ulong)(i % 2) + 1))];

    /// <summary>What the greedy plan answers for <see cref="Batch"/> on a fresh planner.</summary>
    private static async Task<string[]> GreedyAnswersAsync()
    {
        await using var greedy = new PlannerTestBed(3, Options, new QuantumPlanningSettings { EnableSuperposition = false });
        return [.. (await greedy.ChooseAllAsync(Batch())).Select(b => b.Id)];
    }

    [Fact]
    public async Task A_solver_that_misses_its_budget_is_cancelled_and_the_batch_gets_the_greedy_plan()
    {
        var solver = new HungSolver();
        await using var bed = new PlannerTestBed(3, Options, solver: solver);
        var answers = await bed.ChooseAllAsync(Batch());

        Assert.Equal(await GreedyAnswersAsync(), answers.Select(b => b.Id));
        Assert.True(solver.Abandoned.IsCancellationRequested, "the planner gave up on the solve without cancelling it");
        var status = bed.Planner.Status();
        Assert.Equal(1, status.Solves);
        Assert.Equal(1, status.BudgetFallbacks);
        Assert.Equal(0, status.Errors);
        Assert.Equal(0, status.PendingTasks);
    }

    [Fact]
    public async Task A_solver_that_throws_is_counted_as_an_error_and_the_batch_gets_the_greedy_plan()
    {
        await using var bed = new PlannerTestBed(3, Options, solver: new FailingSolver());
        var answers = await bed.ChooseAllAsync(Batch());

        Assert.Equal(await GreedyAnswersAsync(), answers.Select(b => b.Id));
        var status = bed.Planner.Status();
        Assert.Equal(1, status.Errors);
        Assert.Equal(0, status.Solves);
        Assert.Equal(4, status.Tasks);
        Assert.Equal(0, status.PendingTasks);
    }

    [Fact]
    public async Task A_plan_that_arrives_asynchronously_within_the_budget_is_the_answer()
    {
        await using var bed = new PlannerTestBed(3, Options, solver: new LastBackendSolver());
        var answers = await bed.ChooseAllAsync(Batch());

        // Every task on one backend (the problem's last): the solver's plan, not greedy's, which spreads load.
        Assert.Single(answers.Distinct());
        Assert.True((await GreedyAnswersAsync()).Distinct().Count() > 1);
        var status = bed.Planner.Status();
        Assert.Equal(1, status.Solves);
        Assert.Equal(0, status.BudgetFallbacks);
        Assert.Equal(0, status.Errors);
    }

    [Fact]
    public async Task The_cpu_solver_is_the_default_and_completes_synchronously()
    {
        IAssignmentSolver solver = new AssignmentPlanner();
        var problem = new AssignmentProblemBuilder(2)
            .SetBackend(0, 1)
            .SetBackend(1, 1);
        problem.AddTask([new PermittedBackend(0, 1.0), new PermittedBackend(1, 2.0)]);
        problem.AddTask([new PermittedBackend(0, 1.0), new PermittedBackend(1, 5.0)]);
        var solving = solver.SolveAsync(problem.Build(), new PlannerSettings { Agents = 8 }, CancellationToken.None);

        Assert.True(solving.IsCompletedSuccessfully);
        Assert.Equal("cpu", solver.Device);
        Assert.Equal([1, 0], (await solving).BackendOfTask);
        await using var bed = new PlannerTestBed(3, Options);
        await bed.ChooseAllAsync(Batch());
        Assert.Equal(1, bed.Planner.Status().Solves);
    }

    /// <summary>Never answers until cancelled, like a planner process that hangs.</summary>
    private sealed class HungSolver : IAssignmentSolver
    {
        public CancellationToken Abandoned { get; private set; }

        public string Device => "hung";

        public async ValueTask<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken)
        {
            Abandoned = cancellationToken;
            var never = new TaskCompletionSource<AssignmentPlan>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => never.TrySetCanceled(cancellationToken));
            return await never.Task;
        }
    }

    /// <summary>Fails the way a crashed planner process or a protocol error would.</summary>
    private sealed class FailingSolver : IAssignmentSolver
    {
        public string Device => "failing";

        public ValueTask<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken) =>
            throw new IOException("planner socket closed");
    }

    /// <summary>Answers after a yield with every task on the last backend: a plan greedy would not make.</summary>
    private sealed class LastBackendSolver : IAssignmentSolver
    {
        public string Device => "async";

        public async ValueTask<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken)
        {
            await Task.Yield();
            var plan = Enumerable.Repeat(problem.BackendCount - 1, problem.TaskCount).ToArray();
            var objective = problem.Objective(plan);
            return new AssignmentPlan(plan, objective, objective, objective, 0, 1, PlanOrigin.Bifurcation, false, true, 0, 1, settings.Agents, 0);
        }
    }
}

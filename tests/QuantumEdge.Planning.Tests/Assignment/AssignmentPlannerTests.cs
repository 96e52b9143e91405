using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Tests.Assignment;

public class AssignmentPlannerTests
{
    private static readonly PlannerSettings Tiny = new()
    {
        Agents = 16,
        StepsPerRound = 100,
        TimeBudget = TimeSpan.FromSeconds(30),
        Parallelism = 1,
    };

    private static void AssertHardConstraints(AssignmentProblem problem, AssignmentPlan plan, bool feasible)
    {
        Assert.Equal(problem.TaskCount, plan.BackendOfTask.Count);
        for (var t = 0; t < problem.TaskCount; t++)
        {
            Assert.True(problem.IsPermitted(t, plan.BackendOfTask[t]), $"task {t} on forbidden backend {plan.BackendOfTask[t]}");
        }

        Assert.Equal(problem.Objective([.. plan.BackendOfTask]), plan.Objective, 9);
        if (feasible)
        {
            Assert.True(problem.FitsCapacity([.. plan.BackendOfTask]), "capacity broken although a feasible plan exists");
            Assert.True(plan.CapacityRespected);
        }
    }

    [Fact]
    public void Finds_the_brute_force_optimum_of_nearly_all_tiny_problems_and_never_breaks_a_hard_constraint()
    {
        var rng = new Random(31);
        var planner = new AssignmentPlanner();
        var hits = 0;
        const int Trials = 200;
        for (var trial = 0; trial < Trials; trial++)
        {
            var problem = RandomInstances.Assignment(rng, rng.Next(1, 7), rng.Next(1, 5));
            var (optimum, feasible) = BruteForce.BestAssignment(problem);
            Assert.Equal(feasible, problem.CapacityFeasible());
            var plan = planner.Plan(problem, Tiny with { Seed = trial });
            AssertHardConstraints(problem, plan, feasible);
            Assert.True(plan.Objective <= plan.GreedyObjective + 1e-9);
            if (plan.Objective <= optimum + 1e-9)
            {
                hits++;
            }
        }

        Assert.True(hits >= Trials * 95 / 100, $"{hits}/{Trials} optimal");
    }

    [Fact]
    public void Greedy_respects_capacity_whenever_a_feasible_plan_exists()
    {
        var rng = new Random(32);
        for (var trial = 0; trial < 300; trial++)
        {
            var problem = RandomInstances.Assignment(rng, rng.Next(1, 8), rng.Next(1, 5));
            var greedy = GreedyAssigner.Assign(problem);
            Assert.True(problem.IsComplete(greedy));
            Assert.Equal(problem.CapacityFeasible(), problem.FitsCapacity(greedy));
        }
    }

    [Fact]
    public void Infeasible_capacity_still_assigns_every_task_to_a_permitted_backend()
    {
        var builder = new AssignmentProblemBuilder(2);
        builder.SetBackend(0, 1).SetBackend(1, 0);
        for (var t = 0; t < 3; t++)
        {
            builder.AddTask([new PermittedBackend(0, 1), new PermittedBackend(1, 2)]);
        }

        var problem = builder.Build();
        var plan = new AssignmentPlanner().Plan(problem, Tiny);
        Assert.False(problem.CapacityFeasible());
        Assert.False(plan.CapacityRespected);
        AssertHardConstraints(problem, plan, feasible: false);
    }

    [Fact]
    public void Coupled_tasks_are_placed_together_when_the_reward_outweighs_the_cost()
    {
        var builder = new AssignmentProblemBuilder(2) { CoLocationStrength = 5, InterferenceResolution = 0 };
        builder.SetBackend(0, 10, 0).SetBackend(1, 10, 0);
        var a = builder.AddTask([new PermittedBackend(0, 0), new PermittedBackend(1, 1)]);
        var b = builder.AddTask([new PermittedBackend(0, 1), new PermittedBackend(1, 0)]);
        builder.Couple(a, b, 1);
        var problem = builder.Build();
        var plan = new AssignmentPlanner().Plan(problem, Tiny);
        Assert.Equal(plan.BackendOfTask[a], plan.BackendOfTask[b]);
        Assert.Equal(1 - 5, plan.Objective, 9);
    }

    [Fact]
    public void Load_interference_spreads_tasks_over_backends()
    {
        var builder = new AssignmentProblemBuilder(4) { InterferenceResolution = 0.1 };
        for (var b = 0; b < 4; b++)
        {
            builder.SetBackend(b, 8, 10);
        }

        for (var t = 0; t < 16; t++)
        {
            builder.AddTask(Enumerable.Range(0, 4).Select(b => new PermittedBackend(b, b * 0.1)));
        }

        var problem = builder.Build();
        var plan = new AssignmentPlanner().Plan(problem, Tiny with { Agents = 32 });
        var counts = Enumerable.Range(0, 4).Select(b => plan.BackendOfTask.Count(x => x == b)).ToArray();
        Assert.All(counts, c => Assert.Equal(4, c));
    }

    [Fact]
    public void A_solve_below_the_coherence_threshold_falls_back_to_greedy()
    {
        var rng = new Random(33);
        var problem = RandomInstances.Assignment(rng, 6, 4);
        var plan = new AssignmentPlanner().Plan(problem, Tiny with { CoherenceThreshold = 1.0, MaxContinuations = 1, FallBackWhenDecoherent = true });
        if (plan.Coherence < 1.0)
        {
            Assert.True(plan.Decoherent);
            Assert.True(plan.FellBack);
            Assert.Equal(1, plan.Continuations);
            Assert.Equal(plan.GreedyObjective, plan.Objective, 9);
            Assert.Equal(0, plan.Gain);
        }
        else
        {
            Assert.False(plan.Decoherent);
        }
    }

    [Fact]
    public void Gain_compares_the_returned_plan_with_greedy()
    {
        var rng = new Random(34);
        var problem = RandomInstances.Assignment(rng, 6, 3);
        var plan = new AssignmentPlanner().Plan(problem, Tiny with { CoherenceThreshold = 0 });
        Assert.False(plan.Decoherent);
        Assert.Equal((plan.GreedyObjective - plan.Objective) / Math.Abs(plan.GreedyObjective), plan.Gain, 9);
        Assert.True(plan.Gain >= 0);
    }

    [Fact]
    public void Builder_rejects_tasks_without_backends_and_bad_couplings()
    {
        var builder = new AssignmentProblemBuilder(2);
        Assert.Throws<ArgumentException>(() => builder.AddTask([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddTask([new PermittedBackend(2, 1)]));
        var t = builder.AddTask([new PermittedBackend(0, 1)]);
        Assert.Throws<ArgumentException>(() => builder.Couple(t, t, 0.5));
        var u = builder.AddTask([new PermittedBackend(1, 1)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Couple(t, u, 1.5));
        Assert.Throws<ArgumentException>(() => builder.Build().Objective([1, 1]));
    }

    private static readonly PlannerSettings Routing = new()
    {
        Agents = 16,
        StepsPerRound = 50,
        TimeBudget = TimeSpan.FromSeconds(30),
        Parallelism = 1,
        MaxContinuations = 0,
    };

    [Fact]
    public void A_decoherent_solve_that_beats_greedy_returns_its_own_plan_and_is_counted()
    {
        var problem = RandomInstances.Routing(new Random(35), 64, 8);
        var plan = new AssignmentPlanner().Plan(problem, Routing with { CoherenceThreshold = 1.0 });
        Assert.True(plan.Coherence < 1.0, "the instance should not converge every agent to one plan");
        Assert.True(plan.BifurcationObjective < plan.GreedyObjective, "SB should beat greedy on this instance");
        Assert.True(plan.Decoherent);
        Assert.Equal(PlanOrigin.Bifurcation, plan.Origin);
        Assert.Equal(plan.BifurcationObjective, plan.Objective, 9);
        Assert.True(plan.Gain > 0);
        AssertHardConstraints(problem, plan, feasible: true);

        var strict = new AssignmentPlanner().Plan(problem, Routing with { CoherenceThreshold = 1.0, FallBackWhenDecoherent = true });
        Assert.True(strict.FellBack);
        Assert.Equal(strict.GreedyObjective, strict.Objective, 9);
    }

    [Fact]
    public void Coherence_is_a_share_of_the_agents()
    {
        var problem = RandomInstances.Routing(new Random(36), 40, 6);
        var plan = new AssignmentPlanner().Plan(problem, Routing);
        Assert.Equal(16, plan.Agents);
        Assert.InRange(plan.Coherence, 1.0 / plan.Agents, 1.0);
        var agentsWithin = plan.Coherence * plan.Agents;
        Assert.Equal(Math.Round(agentsWithin), agentsWithin, 9);
    }

    [Fact]
    public void A_tight_budget_shortens_the_anneal_instead_of_breaking_the_plan()
    {
        var problem = RandomInstances.Routing(new Random(37), 256, 16);
        var plan = new AssignmentPlanner().Plan(problem, Routing with { StepsPerRound = 1_000_000, TimeBudget = TimeSpan.FromMilliseconds(2) });
        Assert.True(plan.Steps < 1_000_000, $"{plan.Steps} steps");
        AssertHardConstraints(problem, plan, feasible: true);
        Assert.True(plan.Objective <= plan.GreedyObjective + 1e-9);
    }

    [Fact]
    public void A_warm_planner_allocates_little_more_than_its_result()
    {
        var problem = RandomInstances.Routing(new Random(38), 64, 8);
        var planner = new AssignmentPlanner();
        planner.Plan(problem, Routing);
        var before = GC.GetAllocatedBytesForCurrentThread();
        planner.Plan(problem, Routing with { Seed = 2 });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes for one 64×8 plan");
    }

    [Fact]
    public void One_planner_serves_concurrent_callers_and_several_cores()
    {
        var planner = new AssignmentPlanner();
        var problems = Enumerable.Range(0, 8).Select(i => RandomInstances.Routing(new Random(50 + i), 20 + (i * 5), 3 + (i % 4))).ToArray();
        var plans = new AssignmentPlan[problems.Length];
        Parallel.For(0, problems.Length, i => plans[i] = planner.Plan(problems[i], Routing with { Parallelism = 1 + (i % 2), Agents = 32 }));
        for (var i = 0; i < problems.Length; i++)
        {
            AssertHardConstraints(problems[i], plans[i], feasible: true);
            Assert.True(plans[i].Objective <= plans[i].GreedyObjective + 1e-9);
        }
    }
}

using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Tests.Assignment;

public class WarmStartPoolTests
{
    [Fact]
    public void Keeps_the_most_recent_plans_up_to_its_capacity()
    {
        var problem = RandomInstances.Assignment(new Random(41), 5, 3);
        var pool = new WarmStartPool(3);
        var planner = new AssignmentPlanner(pool);
        for (var i = 0; i < 5; i++)
        {
            planner.Plan(problem, new PlannerSettings { Agents = 8, StepsPerRound = 50, Seed = i, Parallelism = 1 });
        }

        Assert.Equal(3, pool.Count);
        var plans = pool.Matching(problem, 10);
        Assert.Equal(3, plans.Count);
        Assert.All(plans, p => Assert.True(problem.IsComplete(p)));
    }

    [Fact]
    public void Offers_plans_only_to_problems_of_the_same_shape()
    {
        var pool = new WarmStartPool(10);
        var first = RandomInstances.Assignment(new Random(42), 4, 3);
        var other = RandomInstances.Assignment(new Random(43), 5, 3);
        pool.Add(first, GreedyAssigner.Assign(first));
        Assert.Single(pool.Matching(first, 10));
        Assert.Empty(pool.Matching(other, 10));
        Assert.Throws<ArgumentException>(() => pool.Add(other, GreedyAssigner.Assign(first)));
    }

    [Fact]
    public void A_snapshot_restored_into_a_new_pool_offers_the_same_plans_in_the_same_order()
    {
        var problem = RandomInstances.Assignment(new Random(44), 6, 3);
        var pool = new WarmStartPool(10);
        var planner = new AssignmentPlanner(pool);
        for (var i = 0; i < 3; i++)
        {
            planner.Plan(problem, new PlannerSettings { Agents = 8, StepsPerRound = 50, Seed = i, Parallelism = 1 });
        }

        var restored = new WarmStartPool(10);
        restored.Restore(pool.Snapshot());

        Assert.Equal(pool.Matching(problem, 10), restored.Matching(problem, 10));
    }

    [Fact]
    public void A_restored_plan_that_does_not_fit_its_problem_is_never_offered()
    {
        var problem = RandomInstances.Assignment(new Random(45), 4, 3);
        var pool = new WarmStartPool(10);
        pool.Add(problem, GreedyAssigner.Assign(problem));
        var (shape, plan) = pool.Snapshot()[0];
        var damaged = new WarmStartPool(10);

        damaged.Restore([(shape, [.. plan, 0]), (shape, [.. plan.Select(_ => 99)])]);

        Assert.Equal(2, damaged.Count);
        Assert.Empty(damaged.Matching(problem, 10));
    }

    [Fact]
    public void Restore_keeps_at_most_the_capacity()
    {
        var pool = new WarmStartPool(2);

        pool.Restore([(1UL, [0]), (2UL, [0]), (3UL, [0])]);

        Assert.Equal([1UL, 2UL], pool.Snapshot().Select(p => p.Shape));
    }
}

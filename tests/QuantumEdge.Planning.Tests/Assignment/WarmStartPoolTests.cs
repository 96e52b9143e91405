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
}

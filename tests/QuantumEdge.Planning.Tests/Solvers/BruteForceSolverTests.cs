using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Tests.Solvers;

public class BruteForceSolverTests
{
    private static readonly BifurcationSettings Small = new()
    {
        Agents = 16,
        StepsPerRound = 200,
        MaxRounds = 2,
        Parallelism = 1,
        TimeLimit = TimeSpan.FromSeconds(30),
    };

    [Theory]
    [InlineData(BifurcationVariant.Discrete)]
    [InlineData(BifurcationVariant.Ballistic)]
    public void Finds_the_MaxCut_optimum_of_nearly_all_tiny_instances(BifurcationVariant variant)
    {
        var rng = new Random(21);
        var hits = 0;
        const int Trials = 200;
        for (var trial = 0; trial < Trials; trial++)
        {
            var graph = RandomInstances.MaxCut(rng, rng.Next(3, 13));
            var model = graph.ToIsing();
            var result = SimulatedBifurcationSolver.Solve(model, Small with { Variant = variant, Seed = trial });
            Assert.Equal(graph.CutValue(result.BestSpins), result.BestObjective, 9);
            if (Math.Abs(result.BestObjective - model.ObjectiveFromEnergy(BruteForce.MinimumEnergy(model))) < 1e-9)
            {
                hits++;
            }
        }

        Assert.True(hits >= Trials * 95 / 100, $"{hits}/{Trials} optimal");
    }

    [Theory]
    [InlineData(BifurcationVariant.Discrete)]
    [InlineData(BifurcationVariant.Ballistic)]
    public void Finds_the_Qubo_optimum_of_nearly_all_tiny_instances(BifurcationVariant variant)
    {
        var rng = new Random(22);
        var hits = 0;
        const int Trials = 200;
        for (var trial = 0; trial < Trials; trial++)
        {
            var qubo = RandomInstances.Qubo(rng, rng.Next(2, 13));
            var model = qubo.ToIsing();
            var result = SimulatedBifurcationSolver.Solve(model, Small with { Variant = variant, Seed = trial });
            Assert.Equal(qubo.Energy(result.BestSpins), result.BestObjective, 9);
            if (Math.Abs(result.BestObjective - BruteForce.MinimumEnergy(model)) < 1e-9)
            {
                hits++;
            }
        }

        Assert.True(hits >= Trials * 95 / 100, $"{hits}/{Trials} optimal");
    }

    [Fact]
    public void Annealing_finds_the_optimum_of_nearly_all_tiny_instances()
    {
        var rng = new Random(23);
        var hits = 0;
        const int Trials = 200;
        for (var trial = 0; trial < Trials; trial++)
        {
            var qubo = RandomInstances.Qubo(rng, rng.Next(2, 13));
            var model = qubo.ToIsing();
            var result = SimulatedAnnealingSolver.Solve(model, new AnnealingSettings { SweepsPerRun = 200, MaxRuns = 3, Seed = trial });
            Assert.Equal(qubo.Energy(result.BestSpins), result.BestObjective, 9);
            if (Math.Abs(result.BestObjective - BruteForce.MinimumEnergy(model)) < 1e-9)
            {
                hits++;
            }
        }

        Assert.True(hits >= Trials * 95 / 100, $"{hits}/{Trials} optimal");
    }

    [Fact]
    public void Same_seed_and_round_count_reproduce_the_result()
    {
        var graph = RandomInstances.MaxCut(new Random(9), 12);
        var settings = Small with { Seed = 5 };
        var first = SimulatedBifurcationSolver.Solve(graph.ToIsing(), settings);
        var second = SimulatedBifurcationSolver.Solve(graph.ToIsing(), settings);
        Assert.Equal(first.BestSpins, second.BestSpins);
        Assert.Equal(first.Steps, second.Steps);
    }

    [Fact]
    public void Reports_agents_steps_and_coherence()
    {
        var graph = RandomInstances.MaxCut(new Random(10), 10);
        var result = SimulatedBifurcationSolver.Solve(graph.ToIsing(), Small with { Agents = 20, MaxRounds = 1 });
        Assert.True(result.Agents >= 20);
        Assert.InRange(result.Steps, 1, 200);
        Assert.InRange(result.Coherence, 1.0 / result.Agents, 1.0);
        Assert.NotEmpty(result.Improvements);
        Assert.Equal(result.BestObjective, result.Improvements[^1].Objective);
    }

    [Fact]
    public void Parallel_blocks_reach_the_same_optimum()
    {
        var graph = RandomInstances.MaxCut(new Random(12), 12);
        var model = graph.ToIsing();
        var result = SimulatedBifurcationSolver.Solve(model, Small with { Parallelism = 2, Agents = 32 });
        Assert.Equal(model.ObjectiveFromEnergy(BruteForce.MinimumEnergy(model)), result.BestObjective, 9);
    }

    [Fact]
    public void Coherence_counts_agents_within_one_percent_of_the_best()
    {
        Assert.Equal(0.5, Coherence.Of([-100, -99.5, -90, -50]));
        Assert.Equal(1.0, Coherence.Of([0, 0]));
    }
}

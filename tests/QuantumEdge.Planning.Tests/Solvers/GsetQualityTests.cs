using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Tests.Solvers;

/// <summary>
/// dSB on real Gset instances and on the toroidal ±1 grids of tests/data/toroidal, one core, at a
/// fixed step budget and seed (never wall time: the box is shared, and a fixed budget gives the
/// same cut on every run). The budgets are about what one second buys on an idle core. Gset's bar
/// is 99% of best known, which every instance clears with margin; the toroidal grids' is the 99.7%
/// target itself. The target at one CPU-second is the planning benchmark's to measure.
/// </summary>
[Collection(nameof(GsetQualityTests))]
[CollectionDefinition(nameof(GsetQualityTests), DisableParallelization = true)]
public class GsetQualityTests
{
    [Theory]
    [InlineData("G1")]
    [InlineData("G2")]
    [InlineData("G3")]
    [InlineData("G4")]
    [InlineData("G5")]
    [InlineData("G6")]
    [InlineData("G7")]
    [InlineData("G8")]
    [InlineData("G9")]
    [InlineData("G10")]
    [InlineData("G43")]
    [InlineData("G44")]
    [InlineData("G45")]
    [InlineData("G46")]
    [InlineData("G47")]
    public void Discrete_SB_reaches_99_percent_of_best_known_on_Gset_in_two_rounds_of_1000_steps(string name)
    {
        AssertReaches(name, "gset", stepsPerRound: 1000, rounds: 2);
    }

    [Theory]
    [InlineData("T800-1")]
    [InlineData("T800-2")]
    [InlineData("T800-3")]
    [InlineData("T2000-1")]
    [InlineData("T2000-2")]
    [InlineData("T2000-3")]
    public void Discrete_SB_with_cluster_recombination_reaches_99_7_percent_of_best_known_on_toroidal_grids_in_eight_rounds_of_2000_steps(string name)
    {
        // About 0.6 CPU-seconds for a 2,000-node grid, less for the 800. The same budget without
        // the recombination of the agents' states (the solver before it) misses 99.7% on five of
        // the six: 580, 570, 598, 1,450, 1,388, 1,386.
        AssertReaches(name, "toroidal", stepsPerRound: 2000, rounds: 8, share: 0.997);
    }

    private static void AssertReaches(string name, string set, int stepsPerRound, int rounds, double share = 0.99)
    {
        var graph = GsetParser.ParseFile(Path.Combine(GsetData.Directory(set), name + ".txt"));
        var bar = share * GsetData.BestKnown(name, set);
        var result = SimulatedBifurcationSolver.Solve(graph.ToIsing(), new BifurcationSettings
        {
            Variant = BifurcationVariant.Discrete,
            Agents = 32,
            Parallelism = 1,
            Seed = 1,
            StepsPerRound = stepsPerRound,
            MaxRounds = rounds,
            TimeLimit = TimeSpan.FromHours(1),
        });

        Assert.Equal(graph.CutValue(result.BestSpins), result.BestObjective);
        Assert.True(result.BestObjective >= bar, $"{name}: cut {result.BestObjective} < {bar}");
    }
}

using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Tests.Solvers;

public class RoundLengthTests
{
    [Fact]
    public void Rounds_in_budget_lengthens_rounds_to_fill_the_time_limit()
    {
        // 400 spins of degree 4 cost microseconds per step, so one round in five seconds is far
        // longer than the 1,000-step floor even on a box ten times busier than it should be.
        var model = ToroidalGrid.Generate(20, 20, 5).ToIsing();
        var result = SimulatedBifurcationSolver.Solve(model, new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 1000,
            RoundsInBudget = 1,
            MaxRounds = 1,
            TimeLimit = TimeSpan.FromSeconds(5),
        });

        // A round may end early once it has settled, but never before half its ramp.
        Assert.True(result.Steps > 1000, $"{result.Steps} steps");
    }

    [Fact]
    public void A_round_too_long_for_the_budget_still_completes_its_ramp_by_the_deadline()
    {
        // Ten million steps cannot fit 300 ms: cut by the deadline alone, the round would end a
        // fraction of a percent into its ramp with unbifurcated agents. Its ramp follows the clock
        // instead, so it ends as good as a short complete round.
        var graph = ToroidalGrid.Generate(20, 20, 5);
        var model = graph.ToIsing();
        var squeezed = SimulatedBifurcationSolver.Solve(model, new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 10_000_000,
            RoundsInBudget = 1,
            MaxRounds = 1,
            TimeLimit = TimeSpan.FromMilliseconds(300),
        });
        var complete = SimulatedBifurcationSolver.Solve(model, new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 500,
            MaxRounds = 1,
            TimeLimit = TimeSpan.FromHours(1),
        });

        Assert.True(squeezed.Steps < 10_000_000);
        Assert.True(squeezed.BestObjective >= 0.97 * complete.BestObjective, $"cut {squeezed.BestObjective} against {complete.BestObjective} for a complete 500-step round");
    }

    [Fact]
    public void Without_rounds_in_budget_a_round_has_exactly_the_steps_asked_for()
    {
        var model = ToroidalGrid.Generate(20, 20, 5).ToIsing();
        var result = SimulatedBifurcationSolver.Solve(model, new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 300,
            MaxRounds = 1,
            TimeLimit = TimeSpan.FromHours(1),
        });

        Assert.InRange(result.Steps, 150, 300);
    }

    [Fact]
    public void Tabu_polish_never_reports_a_cut_other_than_the_states()
    {
        var graph = ToroidalGrid.Generate(12, 12, 9);
        var result = SimulatedBifurcationSolver.Solve(graph.ToIsing(), new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 300,
            MaxRounds = 2,
            TabuMoves = 2_000,
            TimeLimit = TimeSpan.FromHours(1),
        });

        Assert.Equal(graph.CutValue(result.BestSpins), result.BestObjective);
    }
}

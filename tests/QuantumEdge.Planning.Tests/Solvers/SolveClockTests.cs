using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Tests.Solvers;

public class SolveClockTests
{
    [Fact]
    public void The_budget_is_measured_on_the_settings_clock_not_the_wall_clock()
    {
        // A clock that advances 50 µs a read: a 200 ms budget on it ends after a few thousand
        // reads, however long they take on the wall clock.
        var clock = new SteppingClock(TimeSpan.FromMicroseconds(50));
        var result = SimulatedBifurcationSolver.Solve(ToroidalGrid.Generate(10, 10, 1).ToIsing(), new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 1000,
            TimeLimit = TimeSpan.FromMilliseconds(200),
            Clock = clock,
        });

        Assert.InRange(result.ElapsedMs, 200, 260);
        Assert.True(clock.Reads < 10_000, $"{clock.Reads} reads");
        Assert.InRange(result.TimeToBestMs, 0, result.ElapsedMs);
    }

    [Fact]
    public void A_sparse_model_gets_four_times_the_rounds_asked_for_when_it_recombines()
    {
        var model = ToroidalGrid.Generate(10, 10, 2).ToIsing();
        SolverResult Solve(bool recombination) => SimulatedBifurcationSolver.Solve(model, new BifurcationSettings
        {
            Agents = 8,
            Parallelism = 1,
            StepsPerRound = 100,
            RoundsInBudget = 1,
            Recombination = recombination,
            TimeLimit = TimeSpan.FromMilliseconds(500),
            Clock = new SteppingClock(TimeSpan.FromMicroseconds(200)),
        });

        // Rounds that settle early leave room for another, so a plan of one may run two.
        Assert.InRange(Solve(recombination: false).Rounds, 1, 2);
        Assert.True(Solve(recombination: true).Rounds >= 4);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_polish_share_outside_zero_to_one_is_refused(double share)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SimulatedBifurcationSolver.Solve(
            ToroidalGrid.Generate(4, 4, 1).ToIsing(), new BifurcationSettings { PolishShare = share }));
        Assert.Equal("PolishShare", error.ParamName);
    }

    /// <summary>Time that passes only when read: every read is one fixed step later.</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _now;

        public int Reads { get; private set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            Reads++;
            return _now += step.Ticks;
        }
    }
}

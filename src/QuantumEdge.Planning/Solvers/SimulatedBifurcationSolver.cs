using System.Numerics;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// Simulated bifurcation (Goto 2019/2021) on a sparse Ising model: agents are split into blocks,
/// one per core, each evolving its agents with SIMD across agents until the time budget ends,
/// the round limit is reached or the target objective is met.
/// </summary>
public static class SimulatedBifurcationSolver
{
    private const double A0 = 1.0;
    private const int CalibrationSteps = 20;
    private const double RoundShare = 0.95;
    private const int MaxStepsPerRound = 1_000_000;
    private const int SparseMeanDegree = 8;
    private const int SparseRoundsFactor = 4;

    public static SolverResult Solve(IsingModel model, BifurcationSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var clock = settings.Clock;
        var started = clock.GetTimestamp();
        TimeSpan Elapsed() => clock.GetElapsedTime(started);
        var (c0, dt) = Parameters(model, settings.TimeStepFactor);
        var width = Vector<float>.Count;
        var blocks = Math.Min(settings.Parallelism, (settings.Agents + width - 1) / width);
        var perBlock = (((settings.Agents + blocks - 1) / blocks) + width - 1) / width * width;
        var values = model.Couplings.ToArray().Select(v => (float)v).ToArray();
        var targetEnergy = settings.TargetObjective is { } target ? model.EnergyFromObjective(target) : double.NegativeInfinity;
        var tracker = new BestTracker(() => Elapsed().TotalMilliseconds, targetEnergy);
        var limit = settings.TimeLimit;
        bool ShouldStop() => tracker.TargetReached || cancellationToken.IsCancellationRequested || Elapsed() >= limit;

        var runners = new BifurcationBlock[blocks];
        for (var b = 0; b < blocks; b++)
        {
            runners[b] = new BifurcationBlock(model, settings, values, (float)c0, (float)dt, perBlock, unchecked((settings.Seed * 1_000_003) + (b * 7919) + 17));
        }

        var slot = TimeSpan.Zero;
        var polishShare = settings.TabuMoves > 0 ? settings.PolishShare : 0;
        if (settings.RoundsInBudget is { } planned)
        {
            // Sparse models gain from many shorter rounds: their agents' states differ in small
            // clusters that the recombination combines. Dense ones gain nothing from it (every
            // disagreement is one cluster) and need long anneals instead.
            var sparse = settings.Recombination && model.StoredCouplings <= SparseMeanDegree * model.Size;
            var rounds = sparse ? planned * SparseRoundsFactor : planned;
            // Every block runs on its own core, so one block's step cost sizes them all. The margin
            // leaves room for the end-of-round descent; the polish share, for the tabu polish.
            var stepSeconds = runners[0].MeasureStepSeconds(CalibrationSteps);
            slot = (limit - Elapsed()) * RoundShare / rounds;
            var fit = slot.TotalSeconds * (1 - polishShare) / stepSeconds;
            var length = Math.Max(settings.StepsPerRound, (int)Math.Min(fit, MaxStepsPerRound));
            foreach (var runner in runners)
            {
                runner.StepsPerRound = length;
            }
        }

        // With rounds sized to the budget, each round's ramp also ends by its share of the clock
        // (and before the limit), however busy the machine turns out to be; its polish ends with
        // the round's slot.
        var ticksPerSecond = (double)clock.TimestampFrequency;
        var finalRampEnd = started + (long)((Math.Min(limit.TotalSeconds, 1e6) * RoundShare - (slot.TotalSeconds * polishShare)) * ticksPerSecond);
        RoundClock Schedule()
        {
            var now = clock.GetTimestamp();
            if (slot <= TimeSpan.Zero)
            {
                return RoundClock.Unbounded(clock);
            }

            var rampEnd = Math.Min(now + (long)(slot.TotalSeconds * (1 - polishShare) * ticksPerSecond), Math.Max(finalRampEnd, now + 1));
            return new RoundClock(clock, rampEnd, now + (long)(slot.TotalSeconds * ticksPerSecond));
        }

        // A round sized to the budget that could not get half its slot is not started: it would be
        // cut before bifurcating and only cost time.
        bool RoomForRound() => slot <= TimeSpan.Zero || limit - Elapsed() >= slot / 2;

        void Run(int b)
        {
            var runner = runners[b];
            do
            {
                runner.RunRound(ShouldStop, tracker, Schedule());
            }
            while (runner.Rounds < settings.MaxRounds && !ShouldStop() && RoomForRound());
        }

        if (blocks == 1)
        {
            Run(0);
        }
        else
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism }, Run);
        }

        var energies = runners.SelectMany(r => r.LastEnergies).ToArray();
        return new SolverResult(
            model.ObjectiveFromEnergy(tracker.BestEnergy),
            tracker.BestSpins!,
            tracker.TimeToBestMs,
            runners.Sum(r => r.Steps),
            perBlock * blocks,
            Coherence.Of(energies),
            runners.Max(r => r.Rounds),
            Elapsed().TotalMilliseconds,
            [.. tracker.Improvements]);
    }

    /// <summary>
    /// c0 = 0.5/(√n·σ_J) and Δt = factor · 2/√(a0·(a0 + c0·λ_max(−J))), the stability bound of
    /// the symplectic step at a(t) = 0.
    /// </summary>
    public static (double C0, double TimeStep) Parameters(IsingModel model, double timeStepFactor)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sigma = model.CouplingSigma();
        if (sigma == 0)
        {
            // Fields only: scale by their RMS so the force still has order-one magnitude.
            var field = model.Field;
            var sum = 0.0;
            foreach (var h in field)
            {
                sum += h * h;
            }

            sigma = Math.Sqrt(sum / Math.Max(1, model.Size));
        }

        var c0 = sigma > 0 ? 0.5 / (Math.Sqrt(model.Size) * sigma) : 0.5;
        var lambda = Math.Max(0, SpectralBound.LargestEigenvalueOfNegatedCouplings(model));
        var dt = timeStepFactor * 2 / Math.Sqrt(A0 * (A0 + (c0 * lambda)));
        return (c0, dt);
    }
}

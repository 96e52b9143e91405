using System.Diagnostics;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// Plain single-spin Metropolis annealing on the sparse Ising model with a geometric temperature
/// schedule: the baseline the bifurcation solver is measured against.
/// </summary>
internal static class SimulatedAnnealingSolver
{
    public static SolverResult Solve(IsingModel model, AnnealingSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.SweepsPerRun < 1 || settings.MaxRuns < 1 || settings.TimeLimit <= TimeSpan.Zero
            || settings.FinalTemperatureRatio is <= 0 or >= 1 || settings.InitialTemperatureScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "sweeps, runs and time must be positive; temperature ratio in (0, 1)");
        }

        var clock = Stopwatch.StartNew();
        var targetEnergy = settings.TargetObjective is { } target ? model.EnergyFromObjective(target) : double.NegativeInfinity;
        var tracker = new BestTracker(() => clock.Elapsed.TotalMilliseconds, targetEnergy);
        var n = model.Size;
        var rng = new Random(settings.Seed);
        var spins = new sbyte[n];
        var fields = new double[n];
        var rowStart = model.RowStart.ToArray();
        var columns = model.Columns.ToArray();
        var couplings = model.Couplings.ToArray();
        long steps = 0;
        var runs = 0;
        var finalEnergies = new List<double>();
        bool ShouldStop() => tracker.TargetReached || cancellationToken.IsCancellationRequested || clock.Elapsed >= settings.TimeLimit;

        do
        {
            for (var i = 0; i < n; i++)
            {
                spins[i] = rng.Next(2) == 0 ? (sbyte)-1 : (sbyte)1;
            }

            model.LocalFields(spins, fields);
            var energy = model.Energy(spins);
            var start = settings.InitialTemperatureScale * Math.Max(1e-9, fields.Average(Math.Abs));
            var cooling = Math.Pow(settings.FinalTemperatureRatio, 1.0 / Math.Max(1, settings.SweepsPerRun - 1));
            var temperature = start;
            var bestRun = energy;
            for (var sweep = 0; sweep < settings.SweepsPerRun && !ShouldStop(); sweep++)
            {
                for (var i = 0; i < n; i++)
                {
                    var delta = 2 * spins[i] * fields[i];
                    if (delta <= 0 || rng.NextDouble() < Math.Exp(-delta / temperature))
                    {
                        spins[i] = (sbyte)-spins[i];
                        energy += delta;
                        var change = 2.0 * spins[i];
                        for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
                        {
                            fields[columns[k]] += couplings[k] * change;
                        }
                    }
                }

                // Only a global improvement is worth an exact O(edges) re-evaluation.
                if (energy < bestRun - 1e-9 && energy < tracker.BestEnergy - 1e-9)
                {
                    bestRun = energy;
                    tracker.Offer(model.Energy(spins), spins, model.ObjectiveFromEnergy);
                }

                temperature *= cooling;
                steps++;
            }

            energy += LocalSearch.Descend(model, spins, fields);
            tracker.Offer(model.Energy(spins), spins, model.ObjectiveFromEnergy);
            finalEnergies.Add(energy);
            runs++;
        }
        while (runs < settings.MaxRuns && !ShouldStop());

        return new SolverResult(
            model.ObjectiveFromEnergy(tracker.BestEnergy),
            tracker.BestSpins!,
            tracker.TimeToBestMs,
            steps,
            1,
            Coherence.Of([.. finalEnergies]),
            runs,
            clock.Elapsed.TotalMilliseconds,
            [.. tracker.Improvements]);
    }
}

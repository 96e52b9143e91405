using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// The end of a simulated-bifurcation round, on the host: every agent's sign state is descended
/// (single flips), the states are recombined cluster by cluster into the solve's elite, and the
/// result gets tabu moves when asked. The CPU blocks and the device solver both finish their rounds
/// here, so that a device result means what a CPU result means: without the recombination the
/// device's cut on Gset G1 was 1.5 % below the CPU's at the same agents and steps.
/// </summary>
internal sealed class RoundPolish
{
    private const int MaxRecombinationPasses = 4;
    private const int StaleRoundsBeforeRestart = 8;

    private readonly IsingModel _model;
    private readonly BifurcationSettings _settings;
    private readonly Random _rng;
    private readonly double[] _fields;
    private ClusterRecombination? _recombination;
    private sbyte[]? _elite;
    private double _eliteEnergy = double.PositiveInfinity;
    private int _staleRounds;

    /// <param name="model">The model being solved.</param>
    /// <param name="settings">Whether to descend, recombine and how many tabu moves.</param>
    /// <param name="rng">The solver's own generator: tabu seeds are drawn from it, in turn with its other draws.</param>
    public RoundPolish(IsingModel model, BifurcationSettings settings, Random rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rng);
        _model = model;
        _settings = settings;
        _rng = rng;
        _fields = new double[model.Size];
    }

    /// <summary>
    /// Polishes <paramref name="states"/> (changed in place) and offers every improvement to
    /// <paramref name="tracker"/>; tabu moves stop when <paramref name="shouldStop"/> says so.
    /// </summary>
    public void Finish(sbyte[][] states, BestTracker tracker, Func<bool> shouldStop)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(shouldStop);
        if (states.Length == 0)
        {
            return;
        }

        var energies = new double[states.Length];
        for (var a = 0; a < states.Length; a++)
        {
            if (_settings.LocalSearch)
            {
                _model.LocalFields(states[a], _fields);
                LocalSearch.Descend(_model, states[a], _fields);
            }

            energies[a] = _model.Energy(states[a]);
            tracker.Offer(energies[a], states[a], _model.ObjectiveFromEnergy);
        }

        var best = states[Array.IndexOf(energies, energies.Min())];
        var bestEnergy = energies.Min();
        if (_settings.Recombination)
        {
            (best, bestEnergy) = Recombine(states, energies);
            tracker.Offer(bestEnergy, best, _model.ObjectiveFromEnergy);
        }

        if (_settings.TabuMoves > 0 && !shouldStop())
        {
            best = (sbyte[])best.Clone();
            bestEnergy += TabuSearch.Improve(_model, best, _settings.TabuMoves, unchecked((ulong)_rng.NextInt64()), shouldStop);
            tracker.Offer(_model.Energy(best), best, _model.ObjectiveFromEnergy);
        }

        if (bestEnergy < _eliteEnergy - 1e-9)
        {
            _elite = best;
            _eliteEnergy = bestEnergy;
            _staleRounds = 0;
        }
        else if (++_staleRounds >= StaleRoundsBeforeRestart)
        {
            // The elite has stopped absorbing anything: fresh rounds differ from it in clusters
            // too large to gain from. Start a new one (the tracker keeps the best found).
            _elite = null;
            _eliteEnergy = double.PositiveInfinity;
            _staleRounds = 0;
        }
    }

    /// <summary>
    /// The elite (the best state over all rounds) or this round's best agent, whichever is better,
    /// takes the better clusters of every other agent and of the elite, best donors first, with a
    /// descent after each pass, until a pass gains nothing.
    /// </summary>
    private (sbyte[] State, double Energy) Recombine(sbyte[][] states, double[] energies)
    {
        _recombination ??= new ClusterRecombination(_model);
        var order = Enumerable.Range(0, states.Length).OrderBy(a => energies[a]).ToArray();
        var donors = order.Select(a => states[a]).ToList();
        if (_elite is not null)
        {
            donors.Insert(_eliteEnergy <= energies[order[0]] ? 0 : 1, _elite);
        }

        var child = (sbyte[])donors[0].Clone();
        for (var pass = 0; pass < MaxRecombinationPasses; pass++)
        {
            var gain = 0.0;
            for (var d = 1; d < donors.Count; d++)
            {
                gain += _recombination.Merge(child, donors[d]);
            }

            if (_settings.LocalSearch)
            {
                _model.LocalFields(child, _fields);
                gain += LocalSearch.Descend(_model, child, _fields);
            }

            if (gain > -1e-9)
            {
                break;
            }
        }

        return (child, _model.Energy(child));
    }
}

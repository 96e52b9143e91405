using System.Numerics;
using QuantumEdge.Planning.Ising;

namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// One block of agents evolved together on one core. Rounds restart the agents from fresh random
/// positions; every round ramps a(t) from 0 to a0 and ends early once the sign states settle.
/// </summary>
internal sealed class BifurcationBlock
{
    private const float A0 = 1f;
    private const int SettledSamples = 40;
    private const int ClockPollSteps = 8;
    private const int MaxRecombinationPasses = 4;
    private const int StaleRoundsBeforeRestart = 8;

    private readonly IsingModel _model;
    private readonly BifurcationSettings _settings;
    private readonly int[] _rowStart;
    private readonly int[] _columns;
    private readonly float[] _values;
    private readonly float[]? _field;
    private readonly float _offset;
    private readonly float _c0;
    private readonly float _dt;
    private readonly int _agents;
    private readonly int _chunks;
    private readonly float[] _x;
    private readonly float[] _y;
    private readonly float[] _signs;
    private readonly float[] _forces;
    private readonly float[] _signForces;
    private readonly float[] _energies;
    private readonly float[] _previousEnergies;
    private readonly Random _rng;
    private float _bestSampled = float.PositiveInfinity;
    private ClusterRecombination? _recombination;
    private sbyte[]? _elite;
    private double _eliteEnergy = double.PositiveInfinity;
    private int _staleRounds;
    private bool _signsCurrent;

    public BifurcationBlock(IsingModel model, BifurcationSettings settings, float[] values, float c0, float dt, int agents, int seed)
    {
        _model = model;
        _settings = settings;
        _rowStart = model.RowStart.ToArray();
        _columns = model.Columns.ToArray();
        _values = values;
        _field = model.HasField ? [.. model.Field.ToArray().Select(h => (float)h)] : null;
        _offset = (float)model.Offset;
        _c0 = c0;
        _dt = dt;
        _agents = agents;
        _chunks = agents / Vector<float>.Count;
        var size = model.Size * agents;
        _x = new float[size];
        _y = new float[size];
        _signs = new float[size];
        _forces = new float[size];
        _signForces = new float[size];
        _energies = new float[agents];
        _previousEnergies = new float[agents];
        _rng = new Random(seed);
        StepsPerRound = settings.StepsPerRound;
    }

    /// <summary>Seconds (on the solve's clock) one step of this block takes, measured on a throwaway random state.</summary>
    public double MeasureStepSeconds(int probeSteps)
    {
        Randomise();
        var discrete = _settings.Variant == BifurcationVariant.Discrete;

        // A few unmeasured steps first, so that first-call costs do not pass for step costs.
        for (var step = 0; step < probeSteps; step++)
        {
            Advance(discrete, step % _settings.SampleInterval == 0, 0.5f);
        }

        var clock = _settings.Clock;
        var started = clock.GetTimestamp();
        for (var step = 0; step < probeSteps; step++)
        {
            Advance(discrete, step % _settings.SampleInterval == 0, 0.5f);
        }

        return clock.GetElapsedTime(started).TotalSeconds / probeSteps;
    }

    public long Steps { get; private set; }

    /// <summary>Steps of one round: the settings' unless the solve lengthened them.</summary>
    public int StepsPerRound { get; set; }

    public int Rounds { get; private set; }

    /// <summary>Raw (unpolished) energies of the agents' final sign states in the last round.</summary>
    public double[] LastEnergies { get; private set; } = [];

    /// <summary>
    /// One round: a(t) ramps over <see cref="StepsPerRound"/> steps, or faster when the schedule's
    /// ramp end comes first — so a round on a busy machine still ends with a complete ramp instead
    /// of being cut half-bifurcated by the deadline — then the agents are polished.
    /// </summary>
    public void RunRound(Func<bool> shouldStop, BestTracker tracker, RoundClock schedule)
    {
        var roundStart = schedule.Now;
        var rampTicks = schedule.RampEnd == long.MaxValue ? 0 : Math.Max(1, schedule.RampEnd - roundStart);
        Randomise();
        var discrete = _settings.Variant == BifurcationVariant.Discrete;
        var steps = StepsPerRound;
        var interval = _settings.SampleInterval;
        // bSB needs a second sparse product to score its sign states, so it samples less often.
        var sampleEvery = discrete ? interval : interval * 4;
        var unchanged = 0;
        var byTime = 0f;
        for (var step = 0; step < steps; step++)
        {
            // The clock is read every few steps only: a CPU-time clock costs microseconds a read.
            if (step % ClockPollSteps == 0)
            {
                if (shouldStop())
                {
                    break;
                }

                if (rampTicks > 0)
                {
                    byTime = (float)((double)(schedule.Now - roundStart) / rampTicks);
                }
            }

            var progress = Math.Min(1f, Math.Max((float)step / (steps - 1), byTime));
            var sample = step % sampleEvery == 0;
            Advance(discrete, sample, progress);
            if (sample)
            {
                OfferBestSampled(tracker);
                unchanged = _energies.AsSpan().SequenceEqual(_previousEnergies) ? unchanged + 1 : 0;
                _energies.CopyTo(_previousEnergies, 0);
            }

            Steps++;
            if (progress >= 1f || (progress > 0.5f && unchanged >= SettledSamples))
            {
                break;
            }
        }

        FinishRound(tracker, () => shouldStop() || schedule.PolishOver);
        Rounds++;
    }

    private void Randomise()
    {
        _signsCurrent = false;
        for (var k = 0; k < _x.Length; k++)
        {
            _x[k] = (float)((_rng.NextDouble() - 0.5) * 0.2);
            _y[k] = (float)((_rng.NextDouble() - 0.5) * 0.2);
        }
    }

    /// <summary>One step at ramp position <paramref name="progress"/>; with <paramref name="sample"/>, the sign states' energies too.</summary>
    private void Advance(bool discrete, bool sample, float progress)
    {
        if (discrete)
        {
            if (!_signsCurrent)
            {
                AgentKernels.Sign(_x, _signs);
            }

            AgentKernels.Multiply(_rowStart, _columns, _values, _signs, _forces, _chunks);
            if (sample)
            {
                AgentKernels.Energies(_signs, _forces, _field, _chunks, _offset, _energies);
            }
        }
        else
        {
            AgentKernels.Multiply(_rowStart, _columns, _values, _x, _forces, _chunks);
            if (sample)
            {
                AgentKernels.Sign(_x, _signs);
                AgentKernels.Multiply(_rowStart, _columns, _values, _signs, _signForces, _chunks);
                AgentKernels.Energies(_signs, _signForces, _field, _chunks, _offset, _energies);
            }
        }

        // dSB's next product needs sign(x): the step writes it while x is in registers.
        AgentKernels.Step(_x, _y, _forces, _field, _chunks, A0 * (1 - progress), _c0, A0, _dt, discrete ? _signs : null);
        _signsCurrent = discrete;
    }

    private void OfferBestSampled(BestTracker tracker)
    {
        var best = 0;
        for (var a = 1; a < _agents; a++)
        {
            if (_energies[a] < _energies[best])
            {
                best = a;
            }
        }

        var tolerance = 1e-6f * Math.Max(1f, Math.Abs(_bestSampled));
        if (!(_energies[best] < _bestSampled - tolerance))
        {
            return;
        }

        _bestSampled = _energies[best];
        var spins = ReadSpins(best);
        tracker.Offer(_model.Energy(spins), spins, _model.ObjectiveFromEnergy);
    }

    private void FinishRound(BestTracker tracker, Func<bool> shouldStop)
    {
        AgentKernels.Sign(_x, _signs);
        AgentKernels.Multiply(_rowStart, _columns, _values, _signs, _signForces, _chunks);
        AgentKernels.Energies(_signs, _signForces, _field, _chunks, _offset, _energies);
        LastEnergies = [.. _energies.Select(e => (double)e)];
        var fields = new double[_model.Size];
        var states = new sbyte[_agents][];
        var energies = new double[_agents];
        for (var a = 0; a < _agents; a++)
        {
            var spins = ReadSpins(a);
            if (_settings.LocalSearch)
            {
                _model.LocalFields(spins, fields);
                LocalSearch.Descend(_model, spins, fields);
            }

            states[a] = spins;
            energies[a] = _model.Energy(spins);
            tracker.Offer(energies[a], spins, _model.ObjectiveFromEnergy);
        }

        var best = states[Array.IndexOf(energies, energies.Min())];
        var bestEnergy = energies.Min();
        if (_settings.Recombination)
        {
            (best, bestEnergy) = Recombine(states, energies, fields);
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
    /// The block's elite (its best state over all rounds) or this round's best agent, whichever is
    /// better, takes the better clusters of every other agent and of the elite, best donors first,
    /// with a descent after each pass, until a pass gains nothing.
    /// </summary>
    private (sbyte[] State, double Energy) Recombine(sbyte[][] states, double[] energies, double[] fields)
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
                _model.LocalFields(child, fields);
                gain += LocalSearch.Descend(_model, child, fields);
            }

            if (gain > -1e-9)
            {
                break;
            }
        }

        return (child, _model.Energy(child));
    }

    private sbyte[] ReadSpins(int agent)
    {
        var spins = new sbyte[_model.Size];
        for (var i = 0; i < spins.Length; i++)
        {
            spins[i] = _x[(i * _agents) + agent] < 0 ? (sbyte)-1 : (sbyte)1;
        }

        return spins;
    }
}

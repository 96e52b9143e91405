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
    private readonly RoundPolish _polish;
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
        _polish = new RoundPolish(model, settings, _rng);
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
        var states = new sbyte[_agents][];
        for (var a = 0; a < _agents; a++)
        {
            states[a] = ReadSpins(a);
        }

        _polish.Finish(states, tracker, shouldStop);
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

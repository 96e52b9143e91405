using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Gpu.Kernels;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Gpu.Solvers;

/// <summary>
/// Simulated bifurcation (dSB or bSB) on an ILGPU accelerator: all agents advance together, one
/// kernel launch per product and per step; at each sample the agents' energies (one float each)
/// cross to the host, which picks the best agent and sees when the round has settled, and only that
/// agent's spins follow. Every round ends on the host as the CPU solver's rounds do
/// (<see cref="RoundPolish"/>: descent, cluster recombination into an elite, tabu moves when asked)
/// with the round's best agents, so the result means the same as <see cref="SimulatedBifurcationSolver"/>'s.
/// </summary>
internal sealed class DeviceIsingSolver
{
    private const float A0 = 1f;
    private const int CalibrationSteps = 10;
    private const int SettledSamples = 40;
    private const double RoundShare = 0.85;

    /// <summary>The host polishes at most this many of a round's agents (the best by raw energy), as many as a CPU block holds.</summary>
    private const int MaxPolishedAgents = 32;

    /// <summary>And at least this many, however large the model.</summary>
    private const int MinPolishedAgents = 8;

    /// <summary>Coupling visits a round's polish may take before it polishes fewer agents (a dense n = 16,000 model has 2.6·10⁸ per agent).</summary>
    private const long PolishCouplingVisits = 1L << 22;

    /// <summary>Dense J pays when at least this share of it is non-zero (index traffic vs wasted zeros).</summary>
    private const double DenseShare = 1.0 / 16;

    /// <summary>Largest n stored densely: 16,384² floats is 1 GiB.</summary>
    private const int DenseLimit = 16_384;

    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ulong> _initialise;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> _sign;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _dense;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _sparse;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepParameters, int> _step;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>> _energies;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> _column;

    public DeviceIsingSolver(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _stream = accelerator.DefaultStream;
        _initialise = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ulong>>(accelerator, IsingKernels.Initialise);
        _sign = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>>>(accelerator, IsingKernels.Sign);
        _dense = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(accelerator, IsingKernels.DenseForces);
        _sparse = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(accelerator, IsingKernels.SparseForces);
        _step = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepParameters, int>>(accelerator, IsingKernels.Step);
        _energies = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>>>(accelerator, IsingKernels.Energies);
        _column = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int>>(accelerator, IsingKernels.Column);
    }

    /// <summary>The kernels the constructor compiled and loaded.</summary>
    public static IReadOnlyList<string> KernelNames { get; } =
    [
        "ising." + nameof(IsingKernels.Initialise), "ising." + nameof(IsingKernels.Sign), "ising." + nameof(IsingKernels.DenseForces),
        "ising." + nameof(IsingKernels.SparseForces), "ising." + nameof(IsingKernels.Step), "ising." + nameof(IsingKernels.Energies),
        "ising." + nameof(IsingKernels.Column),
    ];

    /// <summary>Device memory a solve of this size needs, in bytes (to refuse what cannot fit).</summary>
    public static long RequiredBytes(IsingModel model, int agents, CouplingLayout layout)
    {
        ArgumentNullException.ThrowIfNull(model);
        long n = model.Size;
        var state = 5L * n * agents * sizeof(float);
        var couplings = Chooses(model, layout) == CouplingLayout.Dense
            ? n * n * sizeof(float)
            : ((n + 1) * sizeof(int)) + (model.StoredCouplings * (long)(sizeof(int) + sizeof(float)));
        return state + couplings + (n * sizeof(float)) + (agents * (long)sizeof(float));
    }

    public static CouplingLayout Chooses(IsingModel model, CouplingLayout layout)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (layout != CouplingLayout.Auto)
        {
            return layout;
        }

        var n = (double)model.Size;
        return model.Size <= DenseLimit && model.StoredCouplings >= n * n * DenseShare ? CouplingLayout.Dense : CouplingLayout.Sparse;
    }

    public SolverResult Solve(IsingModel model, BifurcationSettings settings, CouplingLayout layout = CouplingLayout.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var clock = Stopwatch.StartNew();
        var (c0, dt) = SimulatedBifurcationSolver.Parameters(model, settings.TimeStepFactor);
        var n = model.Size;
        var agents = settings.Agents;
        var size = (long)n * agents;
        var dense = Chooses(model, layout) == CouplingLayout.Dense;
        var targetEnergy = settings.TargetObjective is { } target ? model.EnergyFromObjective(target) : double.NegativeInfinity;
        var tracker = new BestTracker(() => clock.Elapsed.TotalMilliseconds, targetEnergy);
        var rng = new Random(settings.Seed);

        using var x = _accelerator.Allocate1D<float>(size);
        using var y = _accelerator.Allocate1D<float>(size);
        using var signs = _accelerator.Allocate1D<float>(size);
        using var forces = _accelerator.Allocate1D<float>(size);
        using var signForces = _accelerator.Allocate1D<float>(size);
        using var field = _accelerator.Allocate1D(model.Field.ToArray().Select(h => (float)h).ToArray());
        using var energies = _accelerator.Allocate1D<float>(agents);
        using var column = _accelerator.Allocate1D<float>(n);
        using var rowStart = _accelerator.Allocate1D(dense ? [0] : model.RowStart.ToArray());
        using var columns = _accelerator.Allocate1D(dense ? [0] : model.Columns.ToArray());
        using var values = _accelerator.Allocate1D(dense ? DenseCouplings(model) : [.. model.Couplings.ToArray().Select(v => (float)v)]);
        var grid = new Index1D(checked(agents * n));
        void Multiply(MemoryBuffer1D<float, Stride1D.Dense> source, MemoryBuffer1D<float, Stride1D.Dense> destination)
        {
            if (dense)
            {
                _dense(_stream, grid, values.View, source.View, destination.View, n, agents);
            }
            else
            {
                _sparse(_stream, grid, rowStart.View, columns.View, values.View, source.View, destination.View, agents);
            }
        }

        var discrete = settings.Variant == BifurcationVariant.Discrete;
        var offset = (float)model.Offset;

        // One step at ramp position `progress`; with `sample`, the sign states' energies too.
        void Advance(float progress, bool sample)
        {
            if (discrete)
            {
                Multiply(signs, forces);
                if (sample)
                {
                    _energies(_stream, agents, signs.View, forces.View, field.View, n, agents, offset, energies.View);
                }
            }
            else
            {
                Multiply(x, forces);
                if (sample)
                {
                    _sign(_stream, (int)size, x.View, signs.View);
                    Multiply(signs, signForces);
                    _energies(_stream, agents, signs.View, signForces.View, field.View, n, agents, offset, energies.View);
                }
            }

            _step(_stream, (int)size, x.View, y.View, forces.View, field.View, signs.View, StepParameters.For(A0 * (1 - progress), (float)c0, A0, (float)dt), agents);
        }

        void Randomise()
        {
            _initialise(_stream, (int)size, x.View, y.View, unchecked((ulong)rng.NextInt64()));
            _sign(_stream, (int)size, x.View, signs.View);
        }

        var steps = settings.StepsPerRound;
        var slot = TimeSpan.Zero;
        var limit = settings.TimeLimit;
        if (settings.RoundsInBudget is { } rounds)
        {
            Randomise();
            Advance(0.5f, true);
            _accelerator.Synchronize();
            var started = Stopwatch.GetTimestamp();
            for (var k = 0; k < CalibrationSteps; k++)
            {
                Advance(0.5f, k % settings.SampleInterval == 0);
            }

            _accelerator.Synchronize();
            var stepSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds / CalibrationSteps;
            slot = (limit - clock.Elapsed) * RoundShare / rounds;
            steps = Math.Max(settings.StepsPerRound, (int)Math.Min(slot.TotalSeconds / Math.Max(stepSeconds, 1e-9), 1_000_000));
        }

        bool ShouldStop() => tracker.TargetReached || cancellationToken.IsCancellationRequested || clock.Elapsed >= limit;

        long totalSteps = 0;
        var roundsDone = 0;
        var lastEnergies = Array.Empty<double>();
        var sampleEvery = discrete ? settings.SampleInterval : settings.SampleInterval * 4;
        var hostSigns = new float[size];
        var polish = new RoundPolish(model, settings, rng);
        var sampled = new float[agents];
        var previous = new float[agents];
        do
        {
            var roundStart = clock.Elapsed;
            Randomise();
            var bestSampled = float.PositiveInfinity;
            var unchanged = 0;
            for (var step = 0; step < steps; step++)
            {
                var progress = (float)step / (steps - 1);
                var sample = step % sampleEvery == 0;
                if (sample)
                {
                    if (ShouldStop())
                    {
                        break;
                    }

                    if (slot > TimeSpan.Zero)
                    {
                        progress = Math.Min(1f, Math.Max(progress, (float)((clock.Elapsed - roundStart) / slot)));
                    }
                }

                Advance(progress, sample);
                totalSteps++;
                if (sample)
                {
                    // A round is settled when no agent's sampled energy moved for SettledSamples samples,
                    // as on the CPU. Settling on the best agent's alone ended rounds long before the
                    // others bifurcated: Gset G1's cut was 11,411 against the CPU's 11,589.
                    energies.View.CopyToCPU(sampled);
                    unchanged = sampled.AsSpan().SequenceEqual(previous) ? unchanged + 1 : 0;
                    sampled.CopyTo(previous, 0);
                    var agent = LowestAgent(sampled);
                    var energy = sampled[agent];
                    if (energy < bestSampled - (1e-6f * Math.Max(1f, Math.Abs(bestSampled))))
                    {
                        bestSampled = energy;
                        var spins = ReadSpins(signs, column, agent, agents);
                        tracker.Offer(model.Energy(spins), spins, model.ObjectiveFromEnergy);
                    }
                }

                if (progress >= 1f || (progress > 0.5f && unchanged >= SettledSamples))
                {
                    break;
                }
            }

            lastEnergies = FinishRound(model, polish, tracker, x, signs, signForces, field, energies, hostSigns, Multiply, ShouldStop);
            roundsDone++;
        }
        while (roundsDone < settings.MaxRounds && !ShouldStop());

        return new SolverResult(
            model.ObjectiveFromEnergy(tracker.BestEnergy),
            tracker.BestSpins!,
            tracker.TimeToBestMs,
            totalSteps,
            agents,
            Coherence.Of(lastEnergies),
            roundsDone,
            clock.Elapsed.TotalMilliseconds,
            [.. tracker.Improvements]);
    }

    private static float[] DenseCouplings(IsingModel model)
    {
        var n = model.Size;
        var dense = new float[(long)n * n];
        var rowStart = model.RowStart;
        var columns = model.Columns;
        var values = model.Couplings;
        for (var i = 0; i < n; i++)
        {
            for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                dense[((long)i * n) + columns[k]] = (float)values[k];
            }
        }

        return dense;
    }

    /// <summary>One agent's signs, gathered on the device so only n floats cross to the host.</summary>
    private sbyte[] ReadSpins(MemoryBuffer1D<float, Stride1D.Dense> signs, MemoryBuffer1D<float, Stride1D.Dense> column, int agent, int agents)
    {
        _column(_stream, (int)column.Length, signs.View, column.View, agent, agents);
        var host = column.GetAsArray1D();
        var spins = new sbyte[host.Length];
        for (var i = 0; i < host.Length; i++)
        {
            spins[i] = host[i] < 0 ? (sbyte)-1 : (sbyte)1;
        }

        return spins;
    }

    /// <summary>The agent with the lowest sampled energy, the lower index on ties, as on the CPU.</summary>
    private static int LowestAgent(float[] energies)
    {
        var best = 0;
        for (var a = 1; a < energies.Length; a++)
        {
            if (energies[a] < energies[best])
            {
                best = a;
            }
        }

        return best;
    }

    /// <summary>How many of a round's agents the host polishes: fewer on models whose couplings make each descent dear.</summary>
    internal static int PolishedAgents(IsingModel model, int agents)
    {
        var perAgent = Math.Max(1L, model.StoredCouplings + model.Size);
        var affordable = (int)Math.Clamp(PolishCouplingVisits / perAgent, MinPolishedAgents, MaxPolishedAgents);
        return Math.Min(agents, affordable);
    }

    /// <summary>
    /// Scores every agent's final sign state on the device, then finishes the round on the host as the
    /// CPU solver does (<see cref="RoundPolish"/>) with the best agents by raw energy. Returns the raw
    /// final energies.
    /// </summary>
    private double[] FinishRound(
        IsingModel model,
        RoundPolish polish,
        BestTracker tracker,
        MemoryBuffer1D<float, Stride1D.Dense> x,
        MemoryBuffer1D<float, Stride1D.Dense> signs,
        MemoryBuffer1D<float, Stride1D.Dense> signForces,
        MemoryBuffer1D<float, Stride1D.Dense> field,
        MemoryBuffer1D<float, Stride1D.Dense> energies,
        float[] hostSigns,
        Action<MemoryBuffer1D<float, Stride1D.Dense>, MemoryBuffer1D<float, Stride1D.Dense>> multiply,
        Func<bool> shouldStop)
    {
        var n = model.Size;
        var agents = (int)energies.Length;
        _sign(_stream, (int)x.Length, x.View, signs.View);
        multiply(signs, signForces);
        _energies(_stream, agents, signs.View, signForces.View, field.View, n, agents, (float)model.Offset, energies.View);
        var raw = new float[agents];
        energies.View.CopyToCPU(raw);
        signs.View.CopyToCPU(hostSigns);
        var states = Enumerable.Range(0, agents)
            .OrderBy(a => raw[a])
            .Take(PolishedAgents(model, agents))
            .Select(agent =>
            {
                var spins = new sbyte[n];
                for (var i = 0; i < n; i++)
                {
                    spins[i] = hostSigns[((long)i * agents) + agent] < 0 ? (sbyte)-1 : (sbyte)1;
                }

                return spins;
            })
            .ToArray();
        polish.Finish(states, tracker, shouldStop);
        return [.. raw.Select(e => (double)e)];
    }
}

using System.Diagnostics;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;
using QuantumEdge.Planning.Gpu.Kernels;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Gpu.Solvers;

/// <summary>
/// Simulated bifurcation (dSB or bSB) on an ILGPU accelerator: all agents advance together, one
/// kernel launch per product and per step; the best sampled agent is found on the device and only
/// its spins cross to the host. The end of every round polishes the best few agents on the host
/// with the CPU solver's single-flip descent (and tabu moves when asked), so the result means the
/// same as <see cref="SimulatedBifurcationSolver"/>'s.
/// </summary>
internal sealed class DeviceIsingSolver
{
    private const float A0 = 1f;
    private const int CalibrationSteps = 10;
    private const int SettledSamples = 40;
    private const double RoundShare = 0.85;
    private const int PolishedAgents = 8;

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
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<ulong>> _packKeys;
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
        _packKeys = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<ulong>>>(accelerator, AgentSelection.PackKeys);
    }

    /// <summary>The kernels the constructor compiled and loaded (the best-agent reduction is ILGPU.Algorithms' Reduce).</summary>
    public static IReadOnlyList<string> KernelNames { get; } =
    [
        "ising." + nameof(IsingKernels.Initialise), "ising." + nameof(IsingKernels.Sign), "ising." + nameof(IsingKernels.DenseForces),
        "ising." + nameof(IsingKernels.SparseForces), "ising." + nameof(IsingKernels.Step), "ising." + nameof(IsingKernels.Energies),
        "ising." + nameof(IsingKernels.Column), "ising." + nameof(AgentSelection.PackKeys),
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
        return state + couplings + (n * sizeof(float)) + (agents * (long)(sizeof(float) + sizeof(ulong)));
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
        using var keys = _accelerator.Allocate1D<ulong>(agents);
        using var bestKey = _accelerator.Allocate1D<ulong>(1);
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
                    var (energy, agent) = BestAgent(energies, keys, bestKey);
                    if (energy < bestSampled - (1e-6f * Math.Max(1f, Math.Abs(bestSampled))))
                    {
                        bestSampled = energy;
                        unchanged = 0;
                        var spins = ReadSpins(signs, column, agent, agents);
                        tracker.Offer(model.Energy(spins), spins, model.ObjectiveFromEnergy);
                    }
                    else
                    {
                        unchanged++;
                    }
                }

                if (progress >= 1f || (progress > 0.5f && unchanged >= SettledSamples))
                {
                    break;
                }
            }

            lastEnergies = FinishRound(model, settings, tracker, rng, x, signs, signForces, field, energies, hostSigns, Multiply, ShouldStop);
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

    private (float Energy, int Agent) BestAgent(MemoryBuffer1D<float, Stride1D.Dense> energies, MemoryBuffer1D<ulong, Stride1D.Dense> keys, MemoryBuffer1D<ulong, Stride1D.Dense> best)
    {
        _packKeys(_stream, (int)energies.Length, energies.View, keys.View);
        _accelerator.Reduce<ulong, MinUInt64>(_stream, keys.View, best.View);
        var key = new ulong[1];
        best.View.CopyToCPU(key);
        return AgentSelection.Unpack(key[0]);
    }

    /// <summary>
    /// Scores every agent's final sign state on the device, then polishes the best few on the host
    /// (descent, then tabu on the round's best when asked). Returns the raw final energies.
    /// </summary>
    private double[] FinishRound(
        IsingModel model,
        BifurcationSettings settings,
        BestTracker tracker,
        Random rng,
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
        var order = Enumerable.Range(0, agents).OrderBy(a => raw[a]).Take(PolishedAgents).ToArray();
        var fields = new double[n];
        sbyte[]? roundBest = null;
        var roundBestEnergy = double.PositiveInfinity;
        foreach (var agent in order)
        {
            var spins = new sbyte[n];
            for (var i = 0; i < n; i++)
            {
                spins[i] = hostSigns[((long)i * agents) + agent] < 0 ? (sbyte)-1 : (sbyte)1;
            }

            if (settings.LocalSearch)
            {
                model.LocalFields(spins, fields);
                LocalSearch.Descend(model, spins, fields);
            }

            var energy = model.Energy(spins);
            tracker.Offer(energy, spins, model.ObjectiveFromEnergy);
            if (energy < roundBestEnergy)
            {
                roundBestEnergy = energy;
                roundBest = spins;
            }
        }

        if (settings.TabuMoves > 0 && roundBest is not null && !shouldStop())
        {
            TabuSearch.Improve(model, roundBest, settings.TabuMoves, unchecked((ulong)rng.NextInt64()), shouldStop);
            tracker.Offer(model.Energy(roundBest), roundBest, model.ObjectiveFromEnergy);
        }

        return [.. raw.Select(e => (double)e)];
    }
}

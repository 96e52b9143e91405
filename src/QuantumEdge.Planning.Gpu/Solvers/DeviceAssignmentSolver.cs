using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Kernels;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Gpu.Solvers;

/// <summary>
/// The assignment planner with its anneal on an ILGPU accelerator: the same greedy baseline,
/// factorised QUBO, parameters, seeding, ramp fitted to the budget, argmax decoding, ranking,
/// capacity repair and 1-opt polish as <see cref="AssignmentPlanner"/>, so the plan means the same;
/// only the ballistic-SB steps and the decoding run on the device, for all agents at once.
/// </summary>
internal sealed class DeviceAssignmentSolver
{
    private const float A0 = 1f;
    private const int ProbeSteps = 4;
    private const int MinimumSteps = 12;
    private const double RampShare = 0.6;

    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ulong> _initialise;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _taskSums;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int> _backendLoads;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int> _couplingForces;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, AssignmentStepParameters, int> _step;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int, int> _lean;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, int> _decode;

    public DeviceAssignmentSolver(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _stream = accelerator.DefaultStream;
        _initialise = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ulong>>(accelerator, IsingKernels.Initialise);
        _taskSums = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>>(accelerator, AssignmentKernels.TaskSums);
        _backendLoads = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>>(accelerator, AssignmentKernels.BackendLoads);
        _couplingForces = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>>(accelerator, AssignmentKernels.CouplingForces);
        _step = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, AssignmentStepParameters, int>>(accelerator, AssignmentKernels.Step);
        _lean = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int, int>>(accelerator, AssignmentKernels.Lean);
        _decode = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, int>>(accelerator, AssignmentKernels.Decode);
    }

    /// <summary>The kernels the constructor compiled and loaded.</summary>
    public static IReadOnlyList<string> KernelNames { get; } =
    [
        "assignment." + nameof(IsingKernels.Initialise), "assignment." + nameof(AssignmentKernels.TaskSums),
        "assignment." + nameof(AssignmentKernels.BackendLoads), "assignment." + nameof(AssignmentKernels.CouplingForces),
        "assignment." + nameof(AssignmentKernels.Step), "assignment." + nameof(AssignmentKernels.Lean), "assignment." + nameof(AssignmentKernels.Decode),
    ];

    /// <summary>Device memory a solve of this size needs, in bytes.</summary>
    public static long RequiredBytes(AssignmentProblem problem, int agents)
    {
        ArgumentNullException.ThrowIfNull(problem);
        long n = problem.VariableCount;
        var perAgent = ((3 * n) + problem.TaskCount + problem.BackendCount) * sizeof(float) + (problem.TaskCount * (long)sizeof(int) * 2);
        return (perAgent * agents) + (n * 5 * sizeof(float)) + (n * 8 * sizeof(int));
    }

    public AssignmentPlan Solve(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)Math.Min(settings.TimeBudget.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 2.0);
        var tasks = problem.TaskCount;
        var n = problem.VariableCount;
        var agents = settings.Agents;

        var repair = new CapacityRepair();
        var greedyState = new AssignmentState(problem);
        GreedyAssigner.Build(greedyState, repair);
        var greedyPlan = greedyState.BackendOf.ToArray();
        var greedyObjective = problem.ObjectiveUnchecked(greedyPlan);
        var feasible = greedyState.WithinCapacity();

        var qubo = new AssignmentQubo(problem, settings.PenaltyMultiplier);
        var (c0, dt) = qubo.Parameters(settings.TimeStepFactor);
        using var device = new DeviceProblem(_accelerator, problem, qubo, agents);

        var seeds = new List<int[]> { greedyPlan };
        var best = new int[tasks];
        var bestObjective = double.PositiveInfinity;
        var overflowPenalty = feasible ? qubo.Penalty : 0;
        var polishState = new AssignmentState(problem);

        // The seed plan after 1-opt is a candidate from the start. On a problem too large for more than
        // a few steps in the budget, the CPU's seeded agent barely leaves the greedy plan, so the CPU
        // answers with that plan polished; the device anneals every agent far from its seed, and
        // without this candidate its plans at 26,144 and 52,466 variables were about 1 % worse than
        // the CPU's (the first H200 runs, 2026-12-04).
        var polishStarted = Stopwatch.GetTimestamp();
        polishState.Load(greedyPlan);
        OneOptImprover.Improve(polishState);

        // What one plan's polish costs here: an agent whose polish would end past the deadline is not polished.
        var polishTicks = Stopwatch.GetTimestamp() - polishStarted;
        bestObjective = problem.ObjectiveUnchecked(polishState.BackendOf);
        polishState.BackendOf.CopyTo(best);
        var choice = new int[(long)tasks * agents];
        var scores = new double[agents];
        var scorer = new PlanScorer(problem);
        var rng = new Random(settings.Seed);
        var coherence = 0.0;
        var continuations = 0;
        long steps = 0;
        var stepsThisRound = settings.StepsPerRound;
        var step = new AssignmentStepParameters(default, 2 * (float)qubo.Penalty);
        while (true)
        {
            Initialise(device, seeds, unchecked((ulong)rng.NextInt64()));
            steps += Run(device, stepsThisRound, deadline, (float)c0, (float)dt, step, cancellationToken);
            _decode(_stream, new Index1D(checked(agents * tasks)), device.X.View, device.TaskStart.View, device.Choice.View, agents);
            device.Choice.View.CopyToCPU(choice);
            for (var a = 0; a < agents; a++)
            {
                scores[a] = scorer.Score(choice, a, agents, overflowPenalty);
            }

            coherence = Coherence.Of(scores);
            var ranked = Enumerable.Range(0, agents).OrderBy(a => scores[a]).Take(settings.PolishedAgents);
            var plan = new int[tasks];
            foreach (var agent in ranked)
            {
                // No agent is polished past the deadline: the seed plan after 1-opt already stands as a plan
                // (the CPU, without it, still polishes its best-ranked agent there). On the H200 the polish
                // after the anneal took the planner 1-5 ms past its budget at 26k-52k variables.
                if (Stopwatch.GetTimestamp() + polishTicks >= deadline)
                {
                    break;
                }

                for (var t = 0; t < tasks; t++)
                {
                    plan[t] = problem.VariableBackend[choice[((long)t * agents) + agent]];
                }

                polishState.Load(plan);
                if (feasible && !repair.Repair(polishState))
                {
                    continue;
                }

                OneOptImprover.Improve(polishState);
                var objective = problem.ObjectiveUnchecked(polishState.BackendOf);
                if (objective < bestObjective)
                {
                    bestObjective = objective;
                    polishState.BackendOf.CopyTo(best);
                }
            }

            if (coherence >= settings.CoherenceThreshold || continuations >= settings.MaxContinuations
                || Stopwatch.GetTimestamp() >= deadline || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            // Decoherence mitigation, as on the CPU: a longer anneal seeded with the best plan so far.
            continuations++;
            stepsThisRound *= 2;
            if (!ReferenceEquals(seeds[0], best))
            {
                seeds.Insert(0, best);
            }
        }

        var decoherent = coherence < settings.CoherenceThreshold;
        var beatsGreedy = bestObjective < greedyObjective - 1e-9;
        var useBifurcation = beatsGreedy && !(decoherent && settings.FallBackWhenDecoherent);
        var chosen = useBifurcation ? best : greedyPlan;
        var chosenObjective = useBifurcation ? bestObjective : greedyObjective;
        var gain = greedyObjective == 0 ? 0 : (greedyObjective - chosenObjective) / Math.Abs(greedyObjective);
        return new AssignmentPlan(
            chosen,
            chosenObjective,
            bestObjective,
            greedyObjective,
            gain,
            coherence,
            useBifurcation ? PlanOrigin.Bifurcation : PlanOrigin.Greedy,
            decoherent,
            problem.FitsCapacity(chosen),
            continuations,
            steps,
            agents,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Random positions, momenta at rest, the first agents leaning towards the seed plans.</summary>
    private void Initialise(DeviceProblem device, List<int[]> seeds, ulong seed)
    {
        _initialise(_stream, (int)device.X.Length, device.X.View, device.Y.View, seed);
        device.Y.MemSetToZero();
        var seeded = Math.Min(seeds.Count, device.Agents / 2);
        if (seeded == 0)
        {
            return;
        }

        var tasks = device.Problem.TaskCount;
        var plans = new int[seeded * tasks];
        for (var a = 0; a < seeded; a++)
        {
            seeds[a].AsSpan(0, tasks).CopyTo(plans.AsSpan(a * tasks));
        }

        using var buffer = _accelerator.Allocate1D(plans);
        _lean(_stream, new Index1D(checked(seeded * device.Problem.VariableCount)), device.X.View, buffer.View, device.VariableTask.View, device.VariableBackend.View, tasks, device.Agents, seeded);
        _accelerator.Synchronize();
    }

    /// <summary>The a(t) ramp, shortened after a few timed steps to what fits the budget, as on the CPU.</summary>
    private int Run(DeviceProblem d, int steps, long deadline, float c0, float dt, AssignmentStepParameters step, CancellationToken cancellationToken)
    {
        var total = steps;
        var started = Stopwatch.GetTimestamp();
        var agents = d.Agents;
        var variables = new Index1D(checked(agents * d.Problem.VariableCount));
        var taskGrid = new Index1D(checked(agents * d.Problem.TaskCount));
        var backendGrid = new Index1D(checked(agents * d.Problem.BackendCount));
        var size = (int)d.X.Length;
        for (var k = 0; k < total; k++)
        {
            if (k <= ProbeSteps || k % 16 == 0)
            {
                _accelerator.Synchronize();
                var now = Stopwatch.GetTimestamp();
                if (now >= deadline || cancellationToken.IsCancellationRequested)
                {
                    return k;
                }

                if (k == ProbeSteps)
                {
                    var perStep = (double)(now - started) / ProbeSteps;
                    var fit = (int)Math.Min(int.MaxValue, k + (RampShare * (deadline - now) / Math.Max(1, perStep)));
                    total = Math.Clamp(fit, Math.Min(total, MinimumSteps), total);
                }
            }

            var progress = (float)k / Math.Max(1, total - 1);
            _taskSums(_stream, taskGrid, d.X.View, d.TaskStart.View, d.TaskSums.View, agents);
            _backendLoads(_stream, backendGrid, d.X.View, d.BackendStart.View, d.BackendVariables.View, d.Phi.View, d.BackendLoads.View, agents);
            if (d.HasCouplings)
            {
                _couplingForces(_stream, variables, d.X.View, d.CoupledStart.View, d.CoupledVariable.View, d.CoupledWeight.View, d.CouplingForces.View, agents);
            }

            var p = step with { Step = StepParameters.For(A0 * (1 - progress), c0, A0, dt) };
            _step(_stream, size, d.X.View, d.Y.View, d.CouplingForces.View, d.TaskSums.View, d.BackendLoads.View, d.Constant.View, d.Slope.View, d.Self.View, d.VariableTask.View, d.VariableBackend.View, p, agents);
        }

        _accelerator.Synchronize();
        return total;
    }
}

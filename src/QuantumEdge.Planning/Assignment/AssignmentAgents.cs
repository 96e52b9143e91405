using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// A block of ballistic-SB agents on the factorised assignment QUBO, agent-minor like the Ising
/// solver. With b = (1+x)/2 the force on variable v is −½·∂E/∂b_v where, after moving the
/// self-terms b_v² = b_v into the linear part,
/// ∂E/∂b_v = c − 2A + 2λφ·L_b − λφ²·x_v + 2A·S_t − A·x_v − Σ_w κw·b_w.
/// A block is rebound to each solve (<see cref="Bind"/>) and keeps its buffers between solves.
/// </summary>
internal sealed class AssignmentAgents
{
    private const float A0 = 1f;

    /// <summary>Steps timed before the schedule is fitted to the remaining budget.</summary>
    private const int ProbeSteps = 4;

    /// <summary>Fewest steps a fitted schedule keeps; shorter ramps decode to noise.</summary>
    private const int MinimumSteps = 12;

    /// <summary>Share of the remaining budget the ramp may use; the rest is for decoding and polish.</summary>
    private const double RampShare = 0.6;

    private AssignmentQubo _qubo = null!;
    private int _chunks;
    private float _c0;
    private float _dt;
    private float[] _x = [];
    private float[] _y = [];
    private float[] _coupling = [];
    private float[] _taskSums = [];
    private float[] _backendLoads = [];
    private float[] _nextCoupling = [];
    private float[] _nextTaskSums = [];
    private float[] _nextBackendLoads = [];
    private bool _hasCouplings;
    private float[] _phi = [];
    private float[] _constant = [];
    private float[] _slope = [];
    private float[] _self = [];
    private float[] _coupledWeight = [];
    private double[] _loads = [];
    private int[] _variableOfTask = [];
    private int[] _choice = [];

    public int Agents { get; private set; }

    public void Bind(AssignmentQubo qubo, int agents, float c0, float dt)
    {
        var p = qubo.Problem;
        _qubo = qubo;
        Agents = agents;
        _chunks = agents / Vector<float>.Count;
        _c0 = c0;
        _dt = dt;
        var size = p.VariableCount * agents;
        Grow(ref _x, size);
        Grow(ref _y, size);
        Grow(ref _coupling, size);
        Grow(ref _nextCoupling, size);
        Grow(ref _taskSums, p.TaskCount * agents);
        Grow(ref _nextTaskSums, p.TaskCount * agents);
        Grow(ref _backendLoads, p.BackendCount * agents);
        Grow(ref _nextBackendLoads, p.BackendCount * agents);
        Grow(ref _phi, p.VariableCount);
        Grow(ref _constant, p.VariableCount);
        Grow(ref _slope, p.VariableCount);
        Grow(ref _self, p.VariableCount);
        Grow(ref _loads, p.BackendCount);
        Grow(ref _variableOfTask, p.TaskCount);
        Grow(ref _choice, p.TaskCount * agents);

        // The per-variable constants of the force, in float once per solve rather than per step.
        var penalty = (float)qubo.Penalty;
        var lambdas = qubo.Lambda;
        for (var v = 0; v < p.VariableCount; v++)
        {
            var phi = (float)p.VariableLoad[v];
            var lambda = (float)lambdas[v];
            _phi[v] = phi;
            _constant[v] = (float)p.VariableCost[v] - (2 * penalty);
            _slope[v] = 2 * lambda * phi;
            _self[v] = (lambda * phi * phi) + penalty;
        }

        var weights = qubo.CoupledWeight;
        _hasCouplings = weights.Length > 0;
        Grow(ref _coupledWeight, weights.Length);
        for (var k = 0; k < weights.Length; k++)
        {
            // −½·(−κw·b_w) with b_w = (1 + x_w)/2: the force gains ¼·κw·(1 + x_w).
            _coupledWeight[k] = (float)(0.25 * weights[k]);
        }
    }

    /// <summary>
    /// Random small positions; the first agents start leaning towards the given seed plans
    /// (backend per task), which is how the warm-start pool and the greedy plan enter a solve.
    /// </summary>
    public void Initialise(uint seed, IReadOnlyList<int[]> seeds)
    {
        var p = _qubo.Problem;
        var size = p.VariableCount * Agents;
        var xs = MemoryMarshal.Cast<float, Vector<float>>(_x.AsSpan(0, size));
        var lanes = new uint[Vector<uint>.Count];
        for (var i = 0; i < lanes.Length; i++)
        {
            lanes[i] = (seed * 2654435761u) + ((uint)i * 40503u) + 1u;
        }

        var state = new Vector<uint>(lanes);
        var scale = new Vector<float>(0.2f / 16777216f);
        var centre = new Vector<float>(0.1f);
        for (var k = 0; k < xs.Length; k++)
        {
            // xorshift32 in every lane, mapped to (−0.1, 0.1): symmetry breaking, not statistics.
            state ^= Vector.ShiftLeft(state, 13);
            state ^= Vector.ShiftRightLogical(state, 17);
            state ^= Vector.ShiftLeft(state, 5);
            xs[k] = (Vector.ConvertToSingle(Vector.AsVectorInt32(Vector.ShiftRightLogical(state, 8))) * scale) - centre;
        }

        // Momenta start at rest: random positions already break the symmetry.
        _y.AsSpan(0, size).Clear();

        var seeded = Math.Min(seeds.Count, Agents / 2);
        for (var a = 0; a < seeded; a++)
        {
            var plan = seeds[a];
            for (var v = 0; v < p.VariableCount; v++)
            {
                var on = plan[p.VariableTask[v]] == p.VariableBackend[v];
                _x[(v * Agents) + a] += on ? 0.4f : -0.4f;
            }
        }
    }

    /// <summary>
    /// Runs the a(t) ramp over up to <paramref name="steps"/> steps and returns the steps done. After
    /// a few timed steps the ramp is shortened to what fits the time left before
    /// <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp), so that a tight budget gets
    /// a complete, shorter anneal rather than one cut off half-way; it stops outright at the deadline.
    /// </summary>
    public int Run(int steps, long deadline, CancellationToken cancellationToken)
    {
        var total = steps;
        var started = Stopwatch.GetTimestamp();
        ComputeAggregates();
        for (var step = 0; step < total; step++)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= deadline || cancellationToken.IsCancellationRequested)
            {
                return step;
            }

            if (step == ProbeSteps)
            {
                var perStep = (double)(now - started) / ProbeSteps;
                var fit = (int)Math.Min(int.MaxValue, step + (RampShare * (deadline - now) / Math.Max(1, perStep)));
                total = Math.Clamp(fit, Math.Min(total, MinimumSteps), total);
            }

            var progress = (float)step / Math.Max(1, total - 1);
            Step(A0 * (1 - progress));
        }

        return total;
    }

    /// <summary>
    /// Argmax decoding of every agent at once: for each task, the permitted variable with the largest
    /// x, per agent, compared a vector of agents at a time. <see cref="Decode"/> and
    /// <see cref="Score"/> read the result.
    /// </summary>
    public void DecodeAll()
    {
        var p = _qubo.Problem;
        var chunks = _chunks;
        var xs = MemoryMarshal.Cast<float, Vector<float>>(_x.AsSpan(0, p.VariableCount * Agents));
        var choice = MemoryMarshal.Cast<int, Vector<int>>(_choice.AsSpan(0, p.TaskCount * Agents));
        for (var t = 0; t < p.TaskCount; t++)
        {
            var first = p.TaskStart[t];
            for (var c = 0; c < chunks; c++)
            {
                var best = xs[(first * chunks) + c];
                var arg = new Vector<int>(first);
                for (var v = first + 1; v < p.TaskStart[t + 1]; v++)
                {
                    var x = xs[(v * chunks) + c];
                    var better = Vector.GreaterThan(x, best);
                    best = Vector.ConditionalSelect(better, x, best);
                    arg = Vector.ConditionalSelect(better, new Vector<int>(v), arg);
                }

                choice[(t * chunks) + c] = arg;
            }
        }
    }

    /// <summary>The agent's argmax plan (backend per task), after <see cref="DecodeAll"/>.</summary>
    public void Decode(int agent, Span<int> plan)
    {
        var p = _qubo.Problem;
        for (var t = 0; t < p.TaskCount; t++)
        {
            plan[t] = p.VariableBackend[_choice[(t * Agents) + agent]];
        }
    }

    /// <summary>
    /// The true objective of the agent's argmax plan, plus <paramref name="overflowPenalty"/> per
    /// task over a capacity: a cheap score to rank agents by before any repair or polish.
    /// Call <see cref="DecodeAll"/> first.
    /// </summary>
    public double Score(int agent, double overflowPenalty)
    {
        var p = _qubo.Problem;
        var loads = _loads.AsSpan(0, p.BackendCount);
        loads.Clear();
        var variables = _variableOfTask.AsSpan(0, p.TaskCount);
        var total = 0.0;
        for (var t = 0; t < p.TaskCount; t++)
        {
            var v = _choice[(t * Agents) + agent];
            variables[t] = v;
            total += p.VariableCost[v];
            loads[p.VariableBackend[v]] += p.VariableLoad[v];
        }

        var together = 0.0;
        for (var t = 0; t < p.TaskCount; t++)
        {
            var b = p.VariableBackend[variables[t]];
            for (var k = p.CouplingStart[t]; k < p.CouplingStart[t + 1]; k++)
            {
                var u = p.CoupledTask[k];
                if (u > t && p.VariableBackend[variables[u]] == b)
                {
                    together += p.CoupledWeight[k];
                }
            }
        }

        total -= p.CoLocationStrength * together;
        for (var b = 0; b < p.BackendCount; b++)
        {
            total += p.InterferenceWeights[b] * loads[b] * loads[b];
        }

        if (overflowPenalty > 0)
        {
            // Loads now serve as task counts.
            loads.Clear();
            for (var t = 0; t < p.TaskCount; t++)
            {
                loads[p.VariableBackend[variables[t]]]++;
            }

            for (var b = 0; b < p.BackendCount; b++)
            {
                total += overflowPenalty * Math.Max(0, loads[b] - p.Capacities[b]);
            }
        }

        return total;
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }

    /// <summary>
    /// S_t = Σ_{v∈t} b_v, L_b = Σ_{v∈b} φ_v·b_v and each variable's coupling force ¼·Σ κw·(1 + x_w)
    /// from the current positions, into the "current" aggregate buffers.
    /// </summary>
    private void ComputeAggregates()
    {
        var p = _qubo.Problem;
        var chunks = _chunks;
        var n = p.VariableCount;
        var x = MemoryMarshal.Cast<float, Vector<float>>(_x.AsSpan(0, n * Agents));
        var s = MemoryMarshal.Cast<float, Vector<float>>(_taskSums.AsSpan(0, p.TaskCount * Agents));
        var l = MemoryMarshal.Cast<float, Vector<float>>(_backendLoads.AsSpan(0, p.BackendCount * Agents));
        var cf = MemoryMarshal.Cast<float, Vector<float>>(_coupling.AsSpan(0, n * Agents));
        var half = new Vector<float>(0.5f);
        var one = Vector<float>.One;
        s.Clear();
        l.Clear();
        cf.Clear();
        var coupledStart = _qubo.CoupledStart;
        var coupledVariable = _qubo.CoupledVariable;
        for (var v = 0; v < n; v++)
        {
            var phi = new Vector<float>(_phi[v]);
            var row = v * chunks;
            var task = p.VariableTask[v] * chunks;
            var backend = p.VariableBackend[v] * chunks;
            for (var c = 0; c < chunks; c++)
            {
                var b = half * (one + x[row + c]);
                s[task + c] += b;
                l[backend + c] += phi * b;
            }

            for (var k = coupledStart[v]; k < coupledStart[v + 1]; k++)
            {
                var w = new Vector<float>(_coupledWeight[k]);
                var other = coupledVariable[k] * chunks;
                for (var c = 0; c < chunks; c++)
                {
                    cf[other + c] += w * (one + x[row + c]);
                }
            }
        }
    }

    /// <summary>
    /// One symplectic-Euler step with inelastic walls from the current aggregates, in a single
    /// pass: each variable's new position is scattered straight into the next step's aggregates
    /// (task sum, backend load, and the coupling force on its coupled partners, J being symmetric),
    /// so the state is read and written once per step. Indices come from the problem's own CSR
    /// arrays, so the kernel addresses through refs without bounds checks.
    /// </summary>
    private void Step(float pressure)
    {
        var p = _qubo.Problem;
        var chunks = _chunks;
        var n = p.VariableCount;
        var agents = Agents;
        _nextBackendLoads.AsSpan(0, p.BackendCount * agents).Clear();
        if (_hasCouplings)
        {
            _nextCoupling.AsSpan(0, n * agents).Clear();
        }

        ref var xs = ref AsVectors(_x);
        ref var ys = ref AsVectors(_y);
        ref var cf = ref AsVectors(_coupling);
        ref var s = ref AsVectors(_taskSums);
        ref var l = ref AsVectors(_backendLoads);
        ref var cfNext = ref AsVectors(_nextCoupling);
        ref var sNext = ref AsVectors(_nextTaskSums);
        ref var lNext = ref AsVectors(_nextBackendLoads);
        ref var constants = ref MemoryMarshal.GetArrayDataReference(_constant);
        ref var slopes = ref MemoryMarshal.GetArrayDataReference(_slope);
        ref var selfs = ref MemoryMarshal.GetArrayDataReference(_self);
        ref var phis = ref MemoryMarshal.GetArrayDataReference(_phi);
        ref var taskStart = ref MemoryMarshal.GetArrayDataReference(p.TaskStart);
        ref var backends = ref MemoryMarshal.GetArrayDataReference(p.VariableBackend);
        ref var coupledStart = ref MemoryMarshal.GetReference(_qubo.CoupledStart);
        ref var coupledVariable = ref MemoryMarshal.GetReference(_qubo.CoupledVariable);
        ref var coupledWeight = ref MemoryMarshal.GetArrayDataReference(_coupledWeight);
        var twoA = new Vector<float>(2 * (float)_qubo.Penalty);
        var kx = new Vector<float>(-pressure * _dt);
        var kf = new Vector<float>(_c0 * _dt);
        var ka = new Vector<float>(A0 * _dt);
        var minusHalf = new Vector<float>(-0.5f);
        var half = new Vector<float>(0.5f);
        var one = Vector<float>.One;
        var minusOne = -one;
        var taskCount = p.TaskCount;
        for (var t = 0; t < taskCount; t++)
        {
            var first = Unsafe.Add(ref taskStart, t);
            var last = Unsafe.Add(ref taskStart, t + 1);

            // Task-outer, so that the task's sum accumulates in a register instead of a chain of
            // read-modify-writes to one slot.
            for (var c = 0; c < chunks; c++)
            {
                var taskSum = twoA * Unsafe.Add(ref s, (t * chunks) + c);
                var next = Vector<float>.Zero;
                for (var v = first; v < last; v++)
                {
                    var backend = (Unsafe.Add(ref backends, v) * chunks) + c;
                    var index = (v * chunks) + c;
                    ref var x = ref Unsafe.Add(ref xs, index);
                    ref var y = ref Unsafe.Add(ref ys, index);
                    var xi = x;
                    var g = new Vector<float>(Unsafe.Add(ref constants, v)) + (new Vector<float>(Unsafe.Add(ref slopes, v)) * Unsafe.Add(ref l, backend)) + taskSum - (new Vector<float>(Unsafe.Add(ref selfs, v)) * xi);
                    var yi = y + (kx * xi) + (kf * ((minusHalf * g) + Unsafe.Add(ref cf, index)));
                    xi += ka * yi;
                    var wall = Vector.GreaterThan(Vector.Abs(xi), one);
                    xi = Vector.ConditionalSelect(wall, Vector.ConditionalSelect(Vector.LessThan(xi, Vector<float>.Zero), minusOne, one), xi);
                    x = xi;
                    y = Vector.ConditionalSelect(wall, Vector<float>.Zero, yi);
                    var b = half * (one + xi);
                    next += b;
                    Unsafe.Add(ref lNext, backend) += new Vector<float>(Unsafe.Add(ref phis, v)) * b;
                }

                Unsafe.Add(ref sNext, (t * chunks) + c) = next;
            }

            for (var v = first; v < last; v++)
            {
                var end = Unsafe.Add(ref coupledStart, v + 1);
                for (var k = Unsafe.Add(ref coupledStart, v); k < end; k++)
                {
                    var w = new Vector<float>(Unsafe.Add(ref coupledWeight, k));
                    var other = Unsafe.Add(ref coupledVariable, k) * chunks;
                    var row = v * chunks;
                    for (var c = 0; c < chunks; c++)
                    {
                        Unsafe.Add(ref cfNext, other + c) += w * (one + Unsafe.Add(ref xs, row + c));
                    }
                }
            }
        }

        (_taskSums, _nextTaskSums) = (_nextTaskSums, _taskSums);
        (_backendLoads, _nextBackendLoads) = (_nextBackendLoads, _backendLoads);
        if (_hasCouplings)
        {
            (_coupling, _nextCoupling) = (_nextCoupling, _coupling);
        }
    }

    private static ref Vector<float> AsVectors(float[] buffer) =>
        ref Unsafe.As<float, Vector<float>>(ref MemoryMarshal.GetArrayDataReference(buffer));
}

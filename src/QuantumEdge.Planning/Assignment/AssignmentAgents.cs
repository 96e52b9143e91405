using System.Numerics;
using System.Runtime.InteropServices;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// A block of ballistic-SB agents on the factorised assignment QUBO, agent-minor like the Ising
/// solver. With b = (1+x)/2 the force on variable v is −½·∂E/∂b_v where, after moving the
/// self-terms b_v² = b_v into the linear part,
/// ∂E/∂b_v = c − 2A + 2λφ·L_b − λφ²·x_v + 2A·S_t − A·x_v − Σ_w κw·b_w.
/// </summary>
internal sealed class AssignmentAgents
{
    private const float A0 = 1f;

    private readonly AssignmentQubo _qubo;
    private readonly int _chunks;
    private readonly float[] _x;
    private readonly float[] _y;
    private readonly float[] _forces;
    private readonly float[] _taskSums;
    private readonly float[] _backendLoads;
    private readonly float _c0;
    private readonly float _dt;

    public AssignmentAgents(AssignmentQubo qubo, int agents, float c0, float dt)
    {
        _qubo = qubo;
        Agents = agents;
        _chunks = agents / Vector<float>.Count;
        var size = qubo.Problem.VariableCount * agents;
        _x = new float[size];
        _y = new float[size];
        _forces = new float[size];
        _taskSums = new float[qubo.Problem.TaskCount * agents];
        _backendLoads = new float[qubo.Problem.BackendCount * agents];
        _c0 = c0;
        _dt = dt;
    }

    public int Agents { get; }

    /// <summary>
    /// Random small positions; the first agents start leaning towards the given seed plans
    /// (backend per task), which is how the warm-start pool and the greedy plan enter a solve.
    /// </summary>
    public void Initialise(Random rng, IReadOnlyList<int[]> seeds)
    {
        var p = _qubo.Problem;
        for (var k = 0; k < _x.Length; k++)
        {
            _x[k] = (float)((rng.NextDouble() - 0.5) * 0.2);
            _y[k] = (float)((rng.NextDouble() - 0.5) * 0.2);
        }

        var seeded = Math.Min(seeds.Count, Agents / 2);
        for (var a = 0; a < seeded; a++)
        {
            for (var v = 0; v < p.VariableCount; v++)
            {
                var on = seeds[a][p.VariableTask[v]] == p.VariableBackend[v];
                _x[(v * Agents) + a] += on ? 0.4f : -0.4f;
            }
        }
    }

    /// <summary>Runs up to <paramref name="steps"/> steps of the a(t) ramp; returns the steps done.</summary>
    public int Run(int steps, Func<bool> shouldStop)
    {
        for (var step = 0; step < steps; step++)
        {
            if (shouldStop())
            {
                return step;
            }

            var progress = (float)step / Math.Max(1, steps - 1);
            ComputeForces();
            AgentKernels.Step(_x, _y, _forces, null, _chunks, A0 * (1 - progress), _c0, A0, _dt);
        }

        return steps;
    }

    /// <summary>Argmax decoding of one agent: each task to its permitted backend with the largest x.</summary>
    public int[] Decode(int agent)
    {
        var p = _qubo.Problem;
        var plan = new int[p.TaskCount];
        for (var t = 0; t < p.TaskCount; t++)
        {
            var best = p.TaskStart[t];
            for (var v = best + 1; v < p.TaskStart[t + 1]; v++)
            {
                if (_x[(v * Agents) + agent] > _x[(best * Agents) + agent])
                {
                    best = v;
                }
            }

            plan[t] = p.VariableBackend[best];
        }

        return plan;
    }

    private void ComputeForces()
    {
        var p = _qubo.Problem;
        var chunks = _chunks;
        var x = MemoryMarshal.Cast<float, Vector<float>>(_x.AsSpan());
        var f = MemoryMarshal.Cast<float, Vector<float>>(_forces.AsSpan());
        var s = MemoryMarshal.Cast<float, Vector<float>>(_taskSums.AsSpan());
        var l = MemoryMarshal.Cast<float, Vector<float>>(_backendLoads.AsSpan());
        var half = new Vector<float>(0.5f);
        s.Clear();
        l.Clear();

        // Rank-1 aggregates: S_t = Σ_{v∈t} b_v and L_b = Σ_{v∈b} φ_v·b_v, b = (1+x)/2.
        for (var v = 0; v < p.VariableCount; v++)
        {
            var phi = new Vector<float>((float)p.VariableLoad[v]);
            var row = v * chunks;
            var task = p.VariableTask[v] * chunks;
            var backend = p.VariableBackend[v] * chunks;
            for (var c = 0; c < chunks; c++)
            {
                var b = half * (Vector<float>.One + x[row + c]);
                s[task + c] += b;
                l[backend + c] += phi * b;
            }
        }

        var penalty = (float)_qubo.Penalty;
        var twoA = new Vector<float>(2 * penalty);
        var minusHalf = new Vector<float>(-0.5f);
        for (var v = 0; v < p.VariableCount; v++)
        {
            var phi = (float)p.VariableLoad[v];
            var lambda = (float)_qubo.Lambda[v];
            var constant = new Vector<float>((float)p.VariableCost[v] - (2 * penalty));
            var loadSlope = new Vector<float>(2 * lambda * phi);
            var self = new Vector<float>((lambda * phi * phi) + penalty);
            var row = v * chunks;
            var task = p.VariableTask[v] * chunks;
            var backend = p.VariableBackend[v] * chunks;
            for (var c = 0; c < chunks; c++)
            {
                var g = constant + (loadSlope * l[backend + c]) + (twoA * s[task + c]) - (self * x[row + c]);
                f[row + c] = minusHalf * g;
            }

            for (var k = _qubo.CoupledStart[v]; k < _qubo.CoupledStart[v + 1]; k++)
            {
                // −½·(−κw·b_w) = +½·κw·b_w
                var w = new Vector<float>((float)(0.5 * _qubo.CoupledWeight[k]));
                var other = _qubo.CoupledVariable[k] * chunks;
                for (var c = 0; c < chunks; c++)
                {
                    f[row + c] += w * half * (Vector<float>.One + x[other + c]);
                }
            }
        }
    }
}

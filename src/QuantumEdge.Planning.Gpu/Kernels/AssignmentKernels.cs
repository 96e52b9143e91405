using ILGPU;

namespace QuantumEdge.Planning.Gpu.Kernels;

/// <summary>
/// The factorised assignment QUBO of <c>AssignmentQubo</c> on the device, never as an N×N matrix:
/// the one-hot and load terms enter through per-task sums S_t = Σ_{v∈t} b_v and per-backend loads
/// L_b = Σ_{v∈b} φ_v·b_v (rank-1 blocks), the couplings through a CSR of coupled variables. With
/// b = (1+x)/2 the force on v is −½·(c − 2A + 2λφ·L_b − (λφ² + A)·x_v + 2A·S_t) + ¼·Σ κw·(1 + x_w),
/// term for term the CPU's <c>AssignmentAgents</c>. State is agent-minor (v·A + a), and so is the
/// one-dimensional launch index over agents × rows, so warps read coalesced rows (a second grid
/// dimension would cap the rows at 65,535 groups).
/// </summary>
internal static class AssignmentKernels
{
    /// <summary>S[t,a] = Σ_{v∈t} (1 + x[v,a])/2.</summary>
    public static void TaskSums(Index1D index, ArrayView<float> x, ArrayView<int> taskStart, ArrayView<float> sums, int agents)
    {
        var t = index.X / agents;
        var a = index.X - (t * agents);
        var sum = 0f;
        var end = taskStart[t + 1];
        for (var v = taskStart[t]; v < end; v++)
        {
            sum += 0.5f * (1f + x[((long)v * agents) + a]);
        }

        sums[((long)t * agents) + a] = sum;
    }

    /// <summary>L[b,a] = Σ_{v∈b} φ_v·(1 + x[v,a])/2, over a CSR of each backend's variables.</summary>
    public static void BackendLoads(Index1D index, ArrayView<float> x, ArrayView<int> backendStart, ArrayView<int> backendVariables, ArrayView<float> phi, ArrayView<float> loads, int agents)
    {
        var b = index.X / agents;
        var a = index.X - (b * agents);
        var sum = 0f;
        var end = backendStart[b + 1];
        for (var k = backendStart[b]; k < end; k++)
        {
            var v = backendVariables[k];
            sum += phi[v] * 0.5f * (1f + x[((long)v * agents) + a]);
        }

        loads[((long)b * agents) + a] = sum;
    }

    /// <summary>cf[v,a] = Σ_w ¼κw·(1 + x[w,a]) over v's coupled variables (J is symmetric, so a gather).</summary>
    public static void CouplingForces(Index1D index, ArrayView<float> x, ArrayView<int> coupledStart, ArrayView<int> coupledVariable, ArrayView<float> coupledWeight, ArrayView<float> forces, int agents)
    {
        var v = index.X / agents;
        var a = index.X - (v * agents);
        var sum = 0f;
        var end = coupledStart[v + 1];
        for (var k = coupledStart[v]; k < end; k++)
        {
            sum += coupledWeight[k] * (1f + x[((long)coupledVariable[k] * agents) + a]);
        }

        forces[((long)v * agents) + a] = sum;
    }

    /// <summary>One symplectic-Euler step with inelastic walls from the aggregates of the current positions.</summary>
    public static void Step(
        Index1D k,
        ArrayView<float> x,
        ArrayView<float> y,
        ArrayView<float> couplingForces,
        ArrayView<float> taskSums,
        ArrayView<float> backendLoads,
        ArrayView<float> constant,
        ArrayView<float> slope,
        ArrayView<float> self,
        ArrayView<int> variableTask,
        ArrayView<int> variableBackend,
        AssignmentStepParameters p,
        int agents)
    {
        var v = k.X / agents;
        var a = k.X - (v * agents);
        var xi = x[k];
        var g = constant[v] + (slope[v] * backendLoads[((long)variableBackend[v] * agents) + a]) + (p.TwoA * taskSums[((long)variableTask[v] * agents) + a]) - (self[v] * xi);
        var yi = y[k] + (p.Step.Kx * xi) + (p.Step.Kf * ((-0.5f * g) + couplingForces[k]));
        xi += p.Step.Ka * yi;
        if (xi > 1f || xi < -1f)
        {
            xi = xi < 0 ? -1f : 1f;
            yi = 0f;
        }

        x[k] = xi;
        y[k] = yi;
    }

    /// <summary>
    /// Starts the first agents leaning towards seed plans, as the CPU does: x[v,a] ± 0.4 by whether
    /// plan a puts v's task on v's backend. <paramref name="seedBackend"/> is plan-major (a·T + t).
    /// </summary>
    public static void Lean(Index1D index, ArrayView<float> x, ArrayView<int> seedBackend, ArrayView<int> variableTask, ArrayView<int> variableBackend, int tasks, int agents, int seeded)
    {
        var v = index.X / seeded;
        var a = index.X - (v * seeded);
        var on = seedBackend[((long)a * tasks) + variableTask[v]] == variableBackend[v];
        x[((long)v * agents) + a] += on ? 0.4f : -0.4f;
    }

    /// <summary>Argmax decoding: choice[t,a] = the permitted variable of task t with the largest x (first on ties).</summary>
    public static void Decode(Index1D index, ArrayView<float> x, ArrayView<int> taskStart, ArrayView<int> choice, int agents)
    {
        var t = index.X / agents;
        var a = index.X - (t * agents);
        var first = taskStart[t];
        var best = x[((long)first * agents) + a];
        var arg = first;
        var end = taskStart[t + 1];
        for (var v = first + 1; v < end; v++)
        {
            var value = x[((long)v * agents) + a];
            if (value > best)
            {
                best = value;
                arg = v;
            }
        }

        choice[((long)t * agents) + a] = arg;
    }
}

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// The assignment problem as a QUBO over its permitted pairs, kept factorised:
/// E(b) = Σ c_v·b_v + Σ_b λ_b·(Σ_{v∈b} φ_v·b_v)² − κ·Σ w_tu·b_tb·b_ub + A·Σ_t (Σ_{v∈t} b_v − 1)².
/// The one-hot and load terms are rank-1 per task and per backend, so a gradient costs
/// O(variables + coupled pairs); no N×N matrix is ever formed.
/// </summary>
internal sealed class AssignmentQubo
{
    public AssignmentQubo(AssignmentProblem problem, double penaltyMultiplier)
    {
        Problem = problem;
        var v = problem.VariableCount;
        Lambda = new double[v];
        for (var k = 0; k < v; k++)
        {
            Lambda[k] = problem.InterferenceWeights[problem.VariableBackend[k]];
        }

        (CoupledStart, CoupledVariable, CoupledWeight) = BuildCoupledVariables(problem);
        Penalty = penaltyMultiplier * LargestFlipGain(problem);
    }

    public AssignmentProblem Problem { get; }

    /// <summary>A, the one-hot penalty.</summary>
    public double Penalty { get; }

    /// <summary>λ of each variable's backend.</summary>
    public double[] Lambda { get; }

    /// <summary>CSR over variables: coupled variables on the same backend and κ·w for each.</summary>
    public int[] CoupledStart { get; }

    public int[] CoupledVariable { get; }

    public double[] CoupledWeight { get; }

    /// <summary>
    /// The largest objective change one variable flip can make between assignments: removing a
    /// task (its cost and worst-case load share) or adding it twice (coupling reward minus cost).
    /// A must exceed it so that breaking one-hot never pays; 2–4× keeps the landscape from going flat.
    /// </summary>
    public static double LargestFlipGain(AssignmentProblem problem)
    {
        var worstLoad = new double[problem.BackendCount];
        for (var b = 0; b < problem.BackendCount; b++)
        {
            var phis = new List<double>();
            for (var v = 0; v < problem.VariableCount; v++)
            {
                if (problem.VariableBackend[v] == b)
                {
                    phis.Add(problem.VariableLoad[v]);
                }
            }

            var slots = Math.Min(phis.Count, problem.Capacities[b]);
            worstLoad[b] = phis.OrderByDescending(p => p).Take(slots).Sum();
        }

        var gain = 0.0;
        for (var v = 0; v < problem.VariableCount; v++)
        {
            var t = problem.VariableTask[v];
            var b = problem.VariableBackend[v];
            var phi = problem.VariableLoad[v];
            var lambda = problem.InterferenceWeights[b];
            var reward = problem.CoLocationStrength * problem.CoupledTasks[t].Sum(c => c.Weight);
            var remove = problem.VariableCost[v] + (lambda * phi * ((2 * worstLoad[b]) - phi));
            var add = -problem.VariableCost[v] - (lambda * phi * phi) + reward;
            gain = Math.Max(gain, Math.Max(remove, add));
        }

        return gain > 0 ? gain : 1.0;
    }

    /// <summary>result = M_offdiag·u, the quadratic form without its diagonal, for the power iteration.</summary>
    public void OffDiagonalProduct(double[] u, double[] result)
    {
        var p = Problem;
        var taskSum = new double[p.TaskCount];
        var backendSum = new double[p.BackendCount];
        for (var v = 0; v < p.VariableCount; v++)
        {
            taskSum[p.VariableTask[v]] += u[v];
            backendSum[p.VariableBackend[v]] += p.VariableLoad[v] * u[v];
        }

        for (var v = 0; v < p.VariableCount; v++)
        {
            var phi = p.VariableLoad[v];
            var sum = (Penalty * (taskSum[p.VariableTask[v]] - u[v])) + (Lambda[v] * phi * (backendSum[p.VariableBackend[v]] - (phi * u[v])));
            for (var k = CoupledStart[v]; k < CoupledStart[v + 1]; k++)
            {
                sum -= CoupledWeight[k] / 2 * u[CoupledVariable[k]];
            }

            result[v] = sum;
        }
    }

    /// <summary>
    /// c0 = 0.5/(√N·σ_J) and Δt from λ_max(−J), with J = −M_offdiag/2 of the spin form.
    /// </summary>
    public (double C0, double TimeStep) Parameters(double timeStepFactor)
    {
        var p = Problem;
        var n = p.VariableCount;
        if (n < 2)
        {
            return (0.5, timeStepFactor * 2);
        }

        // Σ_{v≠w} M_vw², summed per rank-1 block, then corrected where a coupling shares a load pair.
        var squares = 0.0;
        for (var t = 0; t < p.TaskCount; t++)
        {
            double k = p.TaskStart[t + 1] - p.TaskStart[t];
            squares += Penalty * Penalty * k * (k - 1);
        }

        var phi2 = new double[p.BackendCount];
        var phi4 = new double[p.BackendCount];
        var phiSum = new double[p.BackendCount];
        for (var v = 0; v < n; v++)
        {
            var phi = p.VariableLoad[v];
            var b = p.VariableBackend[v];
            phi2[b] += phi * phi;
            phi4[b] += phi * phi * phi * phi;
            phiSum[b] += phi;
        }

        for (var b = 0; b < p.BackendCount; b++)
        {
            var lambda = p.InterferenceWeights[b];
            squares += lambda * lambda * ((phi2[b] * phi2[b]) - phi4[b]);
        }

        var shift = 0.0;
        for (var v = 0; v < n; v++)
        {
            var phi = p.VariableLoad[v];
            var rowSum = (Penalty * (p.TaskStart[p.VariableTask[v] + 1] - p.TaskStart[p.VariableTask[v]] - 1)) + (Lambda[v] * phi * (phiSum[p.VariableBackend[v]] - phi));
            for (var k = CoupledStart[v]; k < CoupledStart[v + 1]; k++)
            {
                var load = Lambda[v] * phi * p.VariableLoad[CoupledVariable[k]];
                var combined = load - (CoupledWeight[k] / 2);
                squares += (combined * combined) - (load * load);
                rowSum += CoupledWeight[k] / 2;
            }

            shift = Math.Max(shift, rowSum);
        }

        var sigma = Math.Sqrt(squares / 4 / ((double)n * (n - 1)));
        var c0 = sigma > 0 ? 0.5 / (Math.Sqrt(n) * sigma) : 0.5;
        var lambdaMax = Math.Max(0, LargestEigenvalue(n, shift)) / 2;
        return (c0, timeStepFactor * 2 / Math.Sqrt(1 + (c0 * lambdaMax)));
    }

    private double LargestEigenvalue(int n, double shift)
    {
        if (shift == 0)
        {
            return 0;
        }

        var rng = new Random(4242);
        var u = new double[n];
        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            u[i] = rng.NextDouble() + 0.1;
        }

        Normalise(u);
        var lambda = 0.0;
        for (var iteration = 0; iteration < 60; iteration++)
        {
            OffDiagonalProduct(u, w);
            var dot = 0.0;
            for (var i = 0; i < n; i++)
            {
                w[i] += shift * u[i];
                dot += u[i] * w[i];
            }

            lambda = dot;
            (u, w) = (w, u);
            if (Normalise(u) == 0)
            {
                break;
            }
        }

        return lambda - shift;
    }

    private static double Normalise(double[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => x * x));
        if (norm > 0)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] /= norm;
            }
        }

        return norm;
    }

    private static (int[] Start, int[] Variable, double[] Weight) BuildCoupledVariables(AssignmentProblem problem)
    {
        var perVariable = new Dictionary<int, double>[problem.VariableCount];
        foreach (var c in problem.Couplings)
        {
            for (var v = problem.TaskStart[c.First]; v < problem.TaskStart[c.First + 1]; v++)
            {
                if (problem.VariableIndex.TryGetValue((c.Second, problem.VariableBackend[v]), out var w))
                {
                    var weight = problem.CoLocationStrength * c.Weight;
                    (perVariable[v] ??= [])[w] = perVariable[v].GetValueOrDefault(w) + weight;
                    (perVariable[w] ??= [])[v] = perVariable[w].GetValueOrDefault(v) + weight;
                }
            }
        }

        var start = new int[problem.VariableCount + 1];
        for (var v = 0; v < problem.VariableCount; v++)
        {
            start[v + 1] = start[v] + (perVariable[v]?.Count ?? 0);
        }

        var variables = new int[start[^1]];
        var weights = new double[start[^1]];
        for (var v = 0; v < problem.VariableCount; v++)
        {
            var k = start[v];
            foreach (var (w, weight) in perVariable[v]?.OrderBy(p => p.Key) ?? Enumerable.Empty<KeyValuePair<int, double>>())
            {
                variables[k] = w;
                weights[k++] = weight;
            }
        }

        return (start, variables, weights);
    }
}

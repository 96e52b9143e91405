using System.Buffers;

namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// T tasks × B backends with a variable only for each permitted (task, backend) pair. The true
/// objective of an assignment (minimised) is
/// Σ cost[t,b] + Σ_b λ_b·L_b² − κ·Σ_{coupled t,u on one backend} w_tu,
/// where L_b = Σ_{t on b} φ_tb and φ_tb is task t's load as a fraction of b's capacity, rounded up
/// to a multiple of the interference resolution. Capacities (tasks per backend) are hard limits.
/// </summary>
public sealed class AssignmentProblem
{
    internal AssignmentProblem(
        IReadOnlyList<PermittedBackend[]> permitted,
        IReadOnlyList<double> loads,
        IReadOnlyList<double> priorities,
        int[] capacity,
        double[] interference,
        IReadOnlyList<TaskCoupling> couplings,
        double coLocationStrength,
        double resolution)
    {
        TaskCount = permitted.Count;
        BackendCount = capacity.Length;
        Capacities = [.. capacity];
        InterferenceWeights = [.. interference];
        Loads = [.. loads];
        Priorities = [.. priorities];
        CoLocationStrength = coLocationStrength;
        InterferenceResolution = resolution;
        Couplings = [.. couplings];

        TaskStart = new int[TaskCount + 1];
        for (var t = 0; t < TaskCount; t++)
        {
            TaskStart[t + 1] = TaskStart[t] + permitted[t].Length;
        }

        VariableCount = TaskStart[TaskCount];
        VariableTask = new int[VariableCount];
        VariableBackend = new int[VariableCount];
        VariableCost = new double[VariableCount];
        VariableLoad = new double[VariableCount];
        for (var t = 0; t < TaskCount; t++)
        {
            for (var k = 0; k < permitted[t].Length; k++)
            {
                var v = TaskStart[t] + k;
                var b = permitted[t][k].Backend;
                VariableTask[v] = t;
                VariableBackend[v] = b;
                VariableCost[v] = permitted[t][k].Cost;
                VariableLoad[v] = LoadFraction(loads[t], capacity[b], resolution);
            }
        }

        // Couplings per task in CSR form, both directions.
        CouplingStart = new int[TaskCount + 1];
        foreach (var c in couplings)
        {
            CouplingStart[c.First + 1]++;
            CouplingStart[c.Second + 1]++;
        }

        for (var t = 0; t < TaskCount; t++)
        {
            CouplingStart[t + 1] += CouplingStart[t];
        }

        CoupledTask = new int[CouplingStart[TaskCount]];
        CoupledWeight = new double[CouplingStart[TaskCount]];
        CouplingWeightSum = new double[TaskCount];
        var fill = new int[TaskCount];
        Array.Copy(CouplingStart, fill, TaskCount);
        foreach (var c in couplings)
        {
            CoupledTask[fill[c.First]] = c.Second;
            CoupledWeight[fill[c.First]++] = c.Weight;
            CoupledTask[fill[c.Second]] = c.First;
            CoupledWeight[fill[c.Second]++] = c.Weight;
            CouplingWeightSum[c.First] += c.Weight;
            CouplingWeightSum[c.Second] += c.Weight;
        }
    }

    public int TaskCount { get; }

    public int BackendCount { get; }

    /// <summary>Number of permitted (task, backend) pairs, i.e. binary variables.</summary>
    public int VariableCount { get; }

    public double CoLocationStrength { get; }

    public double InterferenceResolution { get; }

    public IReadOnlyList<TaskCoupling> Couplings { get; }

    internal int[] Capacities { get; }

    internal double[] InterferenceWeights { get; }

    internal double[] Loads { get; }

    internal double[] Priorities { get; }

    internal int[] TaskStart { get; }

    internal int[] VariableTask { get; }

    internal int[] VariableBackend { get; }

    internal double[] VariableCost { get; }

    /// <summary>φ of each variable: its task's load as a quantised fraction of its backend's capacity.</summary>
    internal double[] VariableLoad { get; }

    /// <summary>CSR over tasks: the tasks coupled to each task (both directions) and their weights w.</summary>
    internal int[] CouplingStart { get; }

    internal int[] CoupledTask { get; }

    internal double[] CoupledWeight { get; }

    /// <summary>Σ_u w_tu per task.</summary>
    internal double[] CouplingWeightSum { get; }

    public int Capacity(int backend) => Capacities[backend];

    public double InterferenceWeight(int backend) => InterferenceWeights[backend];

    public double Load(int task) => Loads[task];

    public double Priority(int task) => Priorities[task];

    public IEnumerable<PermittedBackend> Permitted(int task)
    {
        for (var v = TaskStart[task]; v < TaskStart[task + 1]; v++)
        {
            yield return new PermittedBackend(VariableBackend[v], VariableCost[v]);
        }
    }

    public bool IsPermitted(int task, int backend) => (uint)task < (uint)TaskCount && VariableOf(task, backend) >= 0;

    /// <summary>
    /// The variable of (task, backend), or −1 when the pair is forbidden. A task's variables are
    /// sorted by backend and few, so a scan beats a hash lookup and allocates nothing.
    /// </summary>
    internal int VariableOf(int task, int backend)
    {
        var end = TaskStart[task + 1];
        for (var v = TaskStart[task]; v < end; v++)
        {
            var b = VariableBackend[v];
            if (b == backend)
            {
                return v;
            }

            if (b > backend)
            {
                break;
            }
        }

        return -1;
    }

    /// <summary>Whether any assignment respects every capacity (bipartite b-matching feasibility).</summary>
    public bool CapacityFeasible() => CapacityRepair.FeasibleAssignmentExists(this);

    /// <summary>The true objective; throws if a task is unassigned or on a forbidden backend.</summary>
    public double Objective(ReadOnlySpan<int> backendOfTask)
    {
        CheckComplete(backendOfTask);
        return ObjectiveUnchecked(backendOfTask);
    }

    /// <summary>The true objective of a plan already known to be complete.</summary>
    internal double ObjectiveUnchecked(ReadOnlySpan<int> backendOfTask)
    {
        double[]? rented = null;
        var loads = BackendCount <= 256 ? stackalloc double[BackendCount] : (rented = ArrayPool<double>.Shared.Rent(BackendCount)).AsSpan(0, BackendCount);
        loads.Clear();
        var total = 0.0;
        for (var t = 0; t < TaskCount; t++)
        {
            var v = VariableOf(t, backendOfTask[t]);
            total += VariableCost[v];
            loads[backendOfTask[t]] += VariableLoad[v];
        }

        for (var b = 0; b < BackendCount; b++)
        {
            total += InterferenceWeights[b] * loads[b] * loads[b];
        }

        var together = 0.0;
        for (var t = 0; t < TaskCount; t++)
        {
            for (var k = CouplingStart[t]; k < CouplingStart[t + 1]; k++)
            {
                // Each pair is stored twice; count it from its lower task only.
                var u = CoupledTask[k];
                if (u > t && backendOfTask[u] == backendOfTask[t])
                {
                    together += CoupledWeight[k];
                }
            }
        }

        if (rented is not null)
        {
            ArrayPool<double>.Shared.Return(rented);
        }

        return total - (CoLocationStrength * together);
    }

    /// <summary>Every task on exactly one permitted backend.</summary>
    public bool IsComplete(ReadOnlySpan<int> backendOfTask)
    {
        if (backendOfTask.Length != TaskCount)
        {
            return false;
        }

        for (var t = 0; t < TaskCount; t++)
        {
            if (!IsPermitted(t, backendOfTask[t]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>No backend holds more tasks than its capacity.</summary>
    public bool FitsCapacity(ReadOnlySpan<int> backendOfTask)
    {
        int[]? rented = null;
        var counts = BackendCount <= 512 ? stackalloc int[BackendCount] : (rented = ArrayPool<int>.Shared.Rent(BackendCount)).AsSpan(0, BackendCount);
        counts.Clear();
        var fits = true;
        foreach (var b in backendOfTask)
        {
            if ((uint)b < (uint)BackendCount && ++counts[b] > Capacities[b])
            {
                fits = false;
                break;
            }
        }

        if (rented is not null)
        {
            ArrayPool<int>.Shared.Return(rented);
        }

        return fits;
    }

    private void CheckComplete(ReadOnlySpan<int> backendOfTask)
    {
        if (backendOfTask.Length != TaskCount)
        {
            throw new ArgumentException($"expected {TaskCount} assignments, got {backendOfTask.Length}", nameof(backendOfTask));
        }

        for (var t = 0; t < TaskCount; t++)
        {
            if (!IsPermitted(t, backendOfTask[t]))
            {
                throw new ArgumentException($"task {t} is on backend {backendOfTask[t]}, which it does not permit", nameof(backendOfTask));
            }
        }
    }

    private static double LoadFraction(double load, int capacity, double resolution)
    {
        var fraction = capacity is 0 or int.MaxValue ? load : load / capacity;
        return resolution > 0 ? Math.Ceiling((fraction / resolution) - 1e-12) * resolution : fraction;
    }
}

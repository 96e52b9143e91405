using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Gpu.Solvers;

/// <summary>
/// One assignment problem's constants and agent state in device memory: per-variable force
/// constants in fp32 (c − 2A, 2λφ, λφ² + A, φ), the task and backend CSRs, the coupled-variable
/// CSR with ¼κw, and positions, momenta, aggregates and decoded choices for every agent.
/// </summary>
internal sealed class DeviceProblem : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public DeviceProblem(Accelerator accelerator, AssignmentProblem problem, AssignmentQubo qubo, int agents)
    {
        Problem = problem;
        Agents = agents;
        var n = problem.VariableCount;
        var penalty = (float)qubo.Penalty;
        var lambdas = qubo.Lambda;
        var constant = new float[n];
        var slope = new float[n];
        var self = new float[n];
        var phi = new float[n];
        for (var v = 0; v < n; v++)
        {
            var load = (float)problem.VariableLoad[v];
            var lambda = (float)lambdas[v];
            phi[v] = load;
            constant[v] = (float)problem.VariableCost[v] - (2 * penalty);
            slope[v] = 2 * lambda * load;
            self[v] = (lambda * load * load) + penalty;
        }

        // Each backend's variables, so a thread per (backend, agent) sums its load without atomics.
        var backendStart = new int[problem.BackendCount + 1];
        foreach (var b in problem.VariableBackend)
        {
            backendStart[b + 1]++;
        }

        for (var b = 0; b < problem.BackendCount; b++)
        {
            backendStart[b + 1] += backendStart[b];
        }

        var fill = backendStart[..^1].ToArray();
        var backendVariables = new int[n];
        for (var v = 0; v < n; v++)
        {
            backendVariables[fill[problem.VariableBackend[v]]++] = v;
        }

        var weights = qubo.CoupledWeight;
        HasCouplings = weights.Length > 0;
        var quarter = new float[Math.Max(1, weights.Length)];
        for (var k = 0; k < weights.Length; k++)
        {
            quarter[k] = (float)(0.25 * weights[k]);
        }

        var coupledVariable = qubo.CoupledVariable.Length > 0 ? qubo.CoupledVariable.ToArray() : [0];
        Constant = Own(accelerator.Allocate1D(constant));
        Slope = Own(accelerator.Allocate1D(slope));
        Self = Own(accelerator.Allocate1D(self));
        Phi = Own(accelerator.Allocate1D(phi));
        TaskStart = Own(accelerator.Allocate1D(problem.TaskStart));
        VariableTask = Own(accelerator.Allocate1D(problem.VariableTask));
        VariableBackend = Own(accelerator.Allocate1D(problem.VariableBackend));
        BackendStart = Own(accelerator.Allocate1D(backendStart));
        BackendVariables = Own(accelerator.Allocate1D(backendVariables));
        CoupledStart = Own(accelerator.Allocate1D(qubo.CoupledStart.ToArray()));
        CoupledVariable = Own(accelerator.Allocate1D(coupledVariable));
        CoupledWeight = Own(accelerator.Allocate1D(quarter));
        var size = (long)n * agents;
        X = Own(accelerator.Allocate1D<float>(size));
        Y = Own(accelerator.Allocate1D<float>(size));
        CouplingForces = Own(accelerator.Allocate1D<float>(size));
        CouplingForces.MemSetToZero();
        TaskSums = Own(accelerator.Allocate1D<float>((long)problem.TaskCount * agents));
        BackendLoads = Own(accelerator.Allocate1D<float>((long)problem.BackendCount * agents));
        Choice = Own(accelerator.Allocate1D<int>((long)problem.TaskCount * agents));
    }

    public AssignmentProblem Problem { get; }

    public int Agents { get; }

    public bool HasCouplings { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Constant { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Slope { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Self { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Phi { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> TaskStart { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> VariableTask { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> VariableBackend { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> BackendStart { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> BackendVariables { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> CoupledStart { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> CoupledVariable { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> CoupledWeight { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> X { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Y { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> CouplingForces { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> TaskSums { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> BackendLoads { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> Choice { get; }

    public void Dispose()
    {
        foreach (var buffer in _owned)
        {
            buffer.Dispose();
        }
    }

    private T Own<T>(T buffer)
        where T : IDisposable
    {
        _owned.Add(buffer);
        return buffer;
    }
}

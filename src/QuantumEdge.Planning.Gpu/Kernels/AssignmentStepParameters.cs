namespace QuantumEdge.Planning.Gpu.Kernels;

/// <summary>The step scalars of the assignment anneal: <see cref="StepParameters"/> plus 2A, twice the one-hot penalty.</summary>
internal readonly record struct AssignmentStepParameters(StepParameters Step, float TwoA);

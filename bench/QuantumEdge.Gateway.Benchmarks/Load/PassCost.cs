namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>
/// What one request cost the benchmark process on average during a pass. The load generator and
/// the simulated backend are in every pass, so the difference between two passes is what the
/// proxy in between costs, independent of how busy the machine was.
/// </summary>
internal sealed record PassCost(double CpuMicroseconds, double AllocatedBytes);

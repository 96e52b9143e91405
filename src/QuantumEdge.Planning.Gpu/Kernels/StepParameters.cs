namespace QuantumEdge.Planning.Gpu.Kernels;

/// <summary>
/// The scalars of one symplectic-Euler step, pre-multiplied by Δt on the host:
/// y += kx·x + kf·force (+ kf·h_i); x += ka·y.
/// </summary>
internal readonly record struct StepParameters(float Kx, float Kf, float Ka)
{
    public static StepParameters For(float pressure, float c0, float a0, float dt) => new(-pressure * dt, c0 * dt, a0 * dt);
}

using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy.Calculator;

/// <summary>The accountant behind <c>quantumedge privacy epsilon</c>: (ε, δ) after a number of steps of one mechanism.</summary>
public static class PrivacyCalculator
{
    public const string SubsampledGaussianMechanism = "subsampled_gaussian";
    public const string LaplaceMechanism = "laplace";

    /// <summary>ε after <paramref name="steps"/> Poisson-subsampled Gaussian steps (rate q, noise multiplier σ).</summary>
    public static PrivacyCalculation SubsampledGaussian(double sigma, double q, long steps, double delta, IReadOnlyList<double>? orders = null)
    {
        Require.Delta(delta, nameof(delta));
        Require.Steps(steps, nameof(steps));
        var guarantee = RdpCurve.SubsampledGaussian(q, sigma, orders).Repeat(steps).ToDp(delta);
        return new PrivacyCalculation(guarantee.Epsilon, guarantee.BestOrder, delta, SubsampledGaussianMechanism, steps, sigma, q, null, null);
    }

    /// <summary>ε after <paramref name="steps"/> Laplace steps of <paramref name="epsilonPerStep"/> each; BasicEpsilon is the plain sum for comparison.</summary>
    public static PrivacyCalculation Laplace(double epsilonPerStep, long steps, double delta, IReadOnlyList<double>? orders = null)
    {
        Require.Delta(delta, nameof(delta));
        Require.Steps(steps, nameof(steps));
        var guarantee = RdpCurve.Laplace(epsilonPerStep, orders).Repeat(steps).ToDp(delta);
        return new PrivacyCalculation(
            guarantee.Epsilon,
            guarantee.BestOrder,
            delta,
            LaplaceMechanism,
            steps,
            null,
            null,
            epsilonPerStep,
            RdpAccountant.BasicComposition(epsilonPerStep, steps));
    }
}

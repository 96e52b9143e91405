using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Federation.Aggregates;

/// <summary>
/// The smallest Gaussian noise multiplier z (σ = z·Δ) for which one release is (ε, δ)-DP by the
/// RDP accountant's conversion at <see cref="FederationOrders.All"/>: RDP(α) = α/(2z²), ε = min_α RDP(α) + ln((α−1)/α) − (ln δ + ln α)/(α−1).
/// </summary>
internal static class NoiseCalibration
{
    /// <summary>Bisection on z to a relative precision of 1e-9; ε(z) is decreasing in z.</summary>
    public static double NoiseMultiplier(double epsilon, double delta)
    {
        if (!double.IsFinite(epsilon) || epsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a finite number > 0.");
        }

        double lo = 1e-3, hi = 1.0;
        while (EpsilonOf(hi, delta) > epsilon)
        {
            lo = hi;
            hi *= 2;
            if (hi > 1e7)
            {
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon is too small to calibrate.");
            }
        }

        while ((hi - lo) > hi * 1e-9)
        {
            var mid = (lo + hi) / 2;
            if (EpsilonOf(mid, delta) > epsilon)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return hi;
    }

    /// <summary>ε of one Gaussian release with noise multiplier <paramref name="z"/> at δ.</summary>
    public static double EpsilonOf(double z, double delta) => RdpCurve.Gaussian(z, FederationOrders.All).ToDp(delta).Epsilon;
}

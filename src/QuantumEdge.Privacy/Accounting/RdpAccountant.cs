namespace QuantumEdge.Privacy.Accounting;

/// <summary>
/// Rényi-DP accounting (Mironov 2017; Mironov, Talwar, Zhang 2019) with the (ε, δ) conversion
/// of Balle et al. 2020 as used by Opacus and Google's dp_accounting. Pure functions; every
/// mechanism assumes sensitivity 1 (the noise parameters are multipliers of the sensitivity).
/// </summary>
internal static class RdpAccountant
{
    /// <summary>RDP of the Gaussian mechanism at <paramref name="order"/>: α / (2σ²).</summary>
    public static double Gaussian(double sigma, double order)
    {
        Require.Positive(sigma, nameof(sigma));
        Require.Order(order, nameof(order));
        return order / (2 * sigma * sigma);
    }

    /// <summary>RDP of the Poisson-subsampled Gaussian mechanism (sampling rate q, noise multiplier σ).</summary>
    public static double SubsampledGaussian(double q, double sigma, double order)
    {
        Require.Probability(q, nameof(q));
        Require.Positive(sigma, nameof(sigma));
        Require.Order(order, nameof(order));
        return SubsampledGaussianRdp.Compute(q, sigma, order);
    }

    /// <summary>
    /// RDP of the Laplace mechanism with ε = sensitivity / b. Unlike the other mechanisms this
    /// also takes the limits α = 1 (KL divergence ε + e^−ε − 1) and α = +∞ (ε).
    /// </summary>
    public static double Laplace(double epsilon, double order)
    {
        Require.NonNegative(epsilon, nameof(epsilon));
        if (double.IsNaN(order) || order < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, $"{nameof(order)} must be >= 1 (was {order}).");
        }

        return LaplaceRdp.Compute(epsilon, order);
    }

    /// <summary>
    /// The smallest ε over the orders for which the curve gives (ε, δ)-DP:
    /// ε = min_α RDP(α) + ln((α−1)/α) − (ln δ + ln α)/(α−1), clamped at 0. As in dp_accounting,
    /// an order whose RDP r satisfies δ² &gt; 1 − e^−r gives ε = 0 (KL bound), so an empty
    /// curve converts to 0.
    /// </summary>
    public static DpGuarantee ToDp(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        Require.Delta(delta, nameof(delta));
        var checkedOrders = Require.Orders(orders, nameof(orders));
        if (rdp.Count != checkedOrders.Length)
        {
            throw new ArgumentException($"{nameof(rdp)} has {rdp.Count} values but {nameof(orders)} has {checkedOrders.Length}.", nameof(rdp));
        }

        var logDelta = Math.Log(delta);
        var best = double.PositiveInfinity;
        var bestOrder = checkedOrders[0];
        for (var i = 0; i < checkedOrders.Length; i++)
        {
            var r = rdp[i];
            if (double.IsNaN(r) || r < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(rdp), r, $"{nameof(rdp)} must hold values >= 0; element {i} was {r}.");
            }

            var epsilon = EpsilonAt(checkedOrders[i], r, delta, logDelta);
            if (epsilon < best)
            {
                best = epsilon;
                bestOrder = checkedOrders[i];
            }
        }

        return new DpGuarantee(Math.Max(0, best), delta, bestOrder);
    }

    /// <summary>Basic composition: the sum of the per-mechanism ε (and, for the caller, of the δ).</summary>
    public static double BasicComposition(IEnumerable<double> epsilons)
    {
        ArgumentNullException.ThrowIfNull(epsilons);
        var total = 0.0;
        foreach (var epsilon in epsilons)
        {
            Require.NonNegative(epsilon, nameof(epsilons));
            total += epsilon;
        }

        return total;
    }

    /// <summary>Basic composition of <paramref name="steps"/> mechanisms of <paramref name="epsilon"/> each.</summary>
    public static double BasicComposition(double epsilon, long steps)
    {
        Require.NonNegative(epsilon, nameof(epsilon));
        Require.Steps(steps, nameof(steps));
        return steps == 0 ? 0 : epsilon * steps;
    }

    /// <summary>One order's term of the conversion (no validation; shared with the budget policy).</summary>
    internal static double EpsilonAt(double order, double rdp, double delta, double logDelta)
    {
        if (double.IsPositiveInfinity(rdp))
        {
            return double.PositiveInfinity;
        }

        if ((delta * delta) + LogSpace.Expm1(-rdp) > 0)
        {
            return 0;
        }

        return rdp + ConversionOffset(order, logDelta);
    }

    /// <summary>ln((α−1)/α) − (ln δ + ln α)/(α−1): the part of the conversion that does not depend on the curve.</summary>
    internal static double ConversionOffset(double order, double logDelta) =>
        LogSpace.Log1p(-1 / order) - ((logDelta + Math.Log(order)) / (order - 1));
}

namespace QuantumEdge.Privacy.Accounting;

/// <summary>
/// An immutable RDP curve: ε_RDP at each of a fixed list of orders. Curves on the same orders
/// compose by adding; self-composition multiplies by the number of steps.
/// </summary>
public sealed class RdpCurve
{
    private readonly double[] _orders;
    private readonly double[] _values;

    private RdpCurve(double[] orders, double[] values)
    {
        _orders = orders;
        _values = values;
        Orders = Array.AsReadOnly(orders);
        Values = Array.AsReadOnly(values);
    }

    public IReadOnlyList<double> Orders { get; }

    public IReadOnlyList<double> Values { get; }

    /// <summary>The curve of a mechanism that reveals nothing.</summary>
    public static RdpCurve Zero(IReadOnlyList<double>? orders = null)
    {
        var o = Require.Orders(orders, nameof(orders));
        return new RdpCurve(o, new double[o.Length]);
    }

    public static RdpCurve Gaussian(double sigma, IReadOnlyList<double>? orders = null)
    {
        Require.Positive(sigma, nameof(sigma));
        var o = Require.Orders(orders, nameof(orders));
        return new RdpCurve(o, Array.ConvertAll(o, a => a / (2 * sigma * sigma)));
    }

    public static RdpCurve SubsampledGaussian(double q, double sigma, IReadOnlyList<double>? orders = null)
    {
        Require.Probability(q, nameof(q));
        Require.Positive(sigma, nameof(sigma));
        var o = Require.Orders(orders, nameof(orders));
        return new RdpCurve(o, Array.ConvertAll(o, a => SubsampledGaussianRdp.Compute(q, sigma, a)));
    }

    public static RdpCurve Laplace(double epsilon, IReadOnlyList<double>? orders = null)
    {
        Require.NonNegative(epsilon, nameof(epsilon));
        var o = Require.Orders(orders, nameof(orders));
        return new RdpCurve(o, Array.ConvertAll(o, a => LaplaceRdp.Compute(epsilon, a)));
    }

    /// <summary>This mechanism run <paramref name="steps"/> times.</summary>
    public RdpCurve Repeat(long steps)
    {
        Require.Steps(steps, nameof(steps));
        return new RdpCurve(_orders, steps == 0 ? new double[_values.Length] : Array.ConvertAll(_values, v => v * steps));
    }

    /// <summary>This mechanism followed by <paramref name="other"/>, which must use the same orders.</summary>
    public RdpCurve Compose(RdpCurve other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!_orders.AsSpan().SequenceEqual(other._orders))
        {
            throw new ArgumentException("Curves can only be composed on the same orders.", nameof(other));
        }

        var sum = new double[_values.Length];
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] = _values[i] + other._values[i];
        }

        return new RdpCurve(_orders, sum);
    }

    /// <summary>The best (ε, δ) guarantee over this curve's orders.</summary>
    public DpGuarantee ToDp(double delta) => RdpAccountant.ToDp(_orders, _values, delta);
}

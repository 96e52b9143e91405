using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy.Tests.Accounting;

public sealed class ClosedFormTests
{
    [Theory]
    [InlineData(0.5, 1.1)]
    [InlineData(1.0, 2.0)]
    [InlineData(2.71828, 3.14159)]
    [InlineData(10.0, 63.0)]
    public void Full_sampling_is_the_plain_gaussian(double sigma, double order)
    {
        var expected = order / (2 * sigma * sigma);
        Assert.Equal(expected, RdpAccountant.Gaussian(sigma, order), 15);
        Precision.Relative(expected, RdpAccountant.SubsampledGaussian(1.0, sigma, order), 1e-15);
    }

    // Mironov 2017, Prop. 6, evaluated literally (fine for moderate α and ε).
    private static double LaplaceDirect(double epsilon, double alpha) =>
        1 / (alpha - 1) * Math.Log((alpha / (2 * alpha - 1) * Math.Exp((alpha - 1) * epsilon)) + ((alpha - 1) / (2 * alpha - 1) * Math.Exp(-alpha * epsilon)));

    [Theory]
    [InlineData(0.1, 1.5)]
    [InlineData(1.0, 2.0)]
    [InlineData(1.0, 10.9)]
    [InlineData(3.0, 32.0)]
    [InlineData(0.01, 63.0)]
    public void Laplace_matches_the_direct_formula(double epsilon, double order) =>
        Precision.Relative(LaplaceDirect(epsilon, order), RdpAccountant.Laplace(epsilon, order), 1e-12);

    [Fact]
    public void Laplace_limits()
    {
        const double Epsilon = 0.7;
        Precision.Relative(Epsilon + Math.Exp(-Epsilon) - 1, RdpAccountant.Laplace(Epsilon, 1.0), 1e-14);
        Assert.Equal(Epsilon, RdpAccountant.Laplace(Epsilon, double.PositiveInfinity));
        // Near α = 1 the limit is approached continuously, where the literal formula cancels.
        Assert.Equal(RdpAccountant.Laplace(Epsilon, 1.0), RdpAccountant.Laplace(Epsilon, 1 + 1e-12), 10);
        // The literal formula overflows here; the value must approach ε from below.
        var large = RdpAccountant.Laplace(5.0, 1e6);
        Assert.True(double.IsFinite(large) && large <= 5.0 && large > 4.99, $"{large}");
    }

    [Fact]
    public void Conversion_is_the_brute_force_minimum_over_orders()
    {
        var curve = RdpCurve.SubsampledGaussian(0.02, 1.1).Repeat(500);
        const double Delta = 1e-6;
        var best = double.PositiveInfinity;
        var bestOrder = double.NaN;
        for (var i = 0; i < curve.Orders.Count; i++)
        {
            var a = curve.Orders[i];
            var epsilon = curve.Values[i] + Math.Log((a - 1) / a) - ((Math.Log(Delta) + Math.Log(a)) / (a - 1));
            if (epsilon < best)
            {
                best = epsilon;
                bestOrder = a;
            }
        }

        var result = curve.ToDp(Delta);
        Precision.Relative(best, result.Epsilon, 1e-12);
        Assert.Equal(bestOrder, result.BestOrder);
        Assert.Equal(Delta, result.Delta);
    }

    [Fact]
    public void Default_orders_are_opacus_alphas()
    {
        var orders = RdpOrders.Default;
        Assert.Equal(99 + 52, orders.Count);
        Assert.Equal(1.1, orders[0]);
        Assert.Equal(10.9, orders[98]);
        Assert.Equal(12.0, orders[99]);
        Assert.Equal(63.0, orders[^1]);
    }

    [Fact]
    public void Basic_composition_sums_epsilon()
    {
        Assert.Equal(0.6, RdpAccountant.BasicComposition([0.1, 0.2, 0.3]), 15);
        Assert.Equal(3.0, RdpAccountant.BasicComposition(0.1, 30), 12);
        Assert.Equal(0, RdpAccountant.BasicComposition(0.1, 0));
    }
}

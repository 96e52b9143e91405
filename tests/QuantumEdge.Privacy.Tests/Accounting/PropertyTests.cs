using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy.Tests.Accounting;

public sealed class PropertyTests
{
    [Fact]
    public void Epsilon_grows_with_steps()
    {
        var step = RdpCurve.SubsampledGaussian(0.01, 1.0);
        var previous = 0.0;
        foreach (var steps in new long[] { 1, 10, 100, 1000, 10000 })
        {
            var epsilon = step.Repeat(steps).ToDp(1e-5).Epsilon;
            Assert.True(epsilon > previous, $"{steps} steps: {epsilon} should exceed {previous}");
            previous = epsilon;
        }
    }

    [Fact]
    public void Epsilon_falls_with_sigma()
    {
        var previous = double.PositiveInfinity;
        foreach (var sigma in new[] { 0.6, 0.8, 1.0, 1.5, 3.0, 10.0 })
        {
            var epsilon = RdpCurve.SubsampledGaussian(0.05, sigma).Repeat(100).ToDp(1e-5).Epsilon;
            Assert.True(epsilon < previous, $"σ = {sigma}: {epsilon} should be below {previous}");
            previous = epsilon;
        }
    }

    [Fact]
    public void Composition_adds_curves()
    {
        var gaussian = RdpCurve.Gaussian(3.14159);
        var subsampled = RdpCurve.SubsampledGaussian(0.1, 1.61803);
        var laplace = RdpCurve.Laplace(0.5);
        var composed = gaussian.Compose(subsampled).Compose(laplace);
        var repeated = subsampled.Repeat(6);
        for (var i = 0; i < composed.Orders.Count; i++)
        {
            Assert.Equal(gaussian.Values[i] + subsampled.Values[i] + laplace.Values[i], composed.Values[i], 14);
            Assert.Equal(6 * subsampled.Values[i], repeated.Values[i], 14);
        }

        Assert.Equal(0, gaussian.Repeat(0).ToDp(1e-5).Epsilon);
        Assert.Throws<ArgumentException>(() => gaussian.Compose(RdpCurve.Gaussian(1.0, [2.0, 3.0])));
    }

    [Fact]
    public void Fractional_orders_are_never_negative_and_monotone_across_a_grid()
    {
        var orders = RdpOrders.Default.Concat([64.5, 100.25, 256.1]).ToArray();
        foreach (var q in new[] { 1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.5, 0.9, 0.999 })
        {
            foreach (var sigma in new[] { 0.3, 0.7, 1.0, 2.0, 5.0, 20.0 })
            {
                var previous = 0.0;
                foreach (var order in orders)
                {
                    var value = RdpAccountant.SubsampledGaussian(q, sigma, order);
                    Assert.True(double.IsFinite(value) && value >= 0, $"q={q} σ={sigma} α={order}: {value}");
                    Assert.True(value >= previous * (1 - 1e-9), $"q={q} σ={sigma} α={order}: {value} fell below {previous}");
                    previous = value;
                }
            }
        }
    }

    [Fact]
    public void Fractional_orders_lie_between_their_integer_neighbours()
    {
        foreach (var (q, sigma) in new[] { (0.01, 2.5), (0.3, 0.7), (1e-4, 1.0), (0.5, 10.0) })
        {
            for (var order = 1.5; order < 20; order += 1.0)
            {
                var below = order < 2 ? 0 : RdpAccountant.SubsampledGaussian(q, sigma, Math.Floor(order));
                var above = RdpAccountant.SubsampledGaussian(q, sigma, Math.Ceiling(order));
                var value = RdpAccountant.SubsampledGaussian(q, sigma, order);
                Assert.InRange(value, below, above);
            }
        }
    }

    [Fact]
    public void Subsampling_amplifies_privacy()
    {
        // Strong amplification (roughly a factor q) at low orders; at high orders it fades but never inverts.
        foreach (var order in new[] { 1.5, 2.0, 7.3 })
        {
            var full = RdpAccountant.Gaussian(1.0, order);
            var sampled = RdpAccountant.SubsampledGaussian(0.01, 1.0, order);
            Assert.True(sampled < full * 0.01, $"α={order}: {sampled} vs {full}");
        }

        Assert.True(RdpAccountant.SubsampledGaussian(0.01, 1.0, 32) < RdpAccountant.Gaussian(1.0, 32));
    }
}

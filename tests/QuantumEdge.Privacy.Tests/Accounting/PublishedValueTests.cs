using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy.Tests.Accounting;

/// <summary>Expected numbers copied from the test suites of Opacus, Google dp_accounting and TensorFlow Privacy.</summary>
public sealed class PublishedValueTests
{
    // pytorch/opacus, opacus/tests/accountants_test.py, test_rdp_accountant:
    // σ = 1.5, q = 0.04, steps = int(90 / 0.04), default alphas, δ = 1e-5 → 7.32911117143.
    [Fact]
    public void Opacus_rdp_accountant_epsilon()
    {
        var curve = RdpCurve.SubsampledGaussian(0.04, 1.5).Repeat(2250);
        Precision.Relative(7.32911117143, curve.ToDp(1e-5).Epsilon, 1e-9);
    }

    // google/differential-privacy, python/dp_accounting/dp_accounting/rdp/rdp_privacy_accountant_test.py,
    // test_compute_rdp_poisson_sampled_gaussian: q = 0.01, σ = 2.5, 50 steps. Integer orders
    // (the exact binomial sum) are published to 9 significant digits.
    [Theory]
    [InlineData(5.0, 2.18075656e-03)]
    [InlineData(50.0, 2.38460375e-02)]
    [InlineData(100.0, 1.67416308e02)]
    public void Dp_accounting_poisson_sampled_gaussian_integer_orders(double order, double expected)
    {
        var curve = RdpCurve.SubsampledGaussian(0.01, 2.5, [order]).Repeat(50);
        Precision.Digits(expected, curve.Values[0], 9);
    }

    // Same test, fractional orders. The current dp_accounting sums |terms| of the fractional series
    // (an upper bound): 6.70579741e-04 and 1.08548710e-03. TensorFlow Privacy's
    // tensorflow_privacy/privacy/analysis/rdp_accountant_test.py, test_compute_rdp_sequence, has the
    // exact values for the same case: 0.00065 and 0.001085 (checked there to delta = 1e-5).
    [Theory]
    [InlineData(1.5, 0.00065, 6.70579741e-04)]
    [InlineData(2.5, 0.001085, 1.08548710e-03)]
    public void Poisson_sampled_gaussian_fractional_orders(double order, double exact, double dpAccountingUpperBound)
    {
        var value = RdpCurve.SubsampledGaussian(0.01, 2.5, [order]).Repeat(50).Values[0];
        Assert.Equal(exact, value, 1e-5);
        Assert.True(value <= dpAccountingUpperBound, $"{value} should not exceed dp_accounting's bound {dpAccountingUpperBound}");
    }

    // tensorflow/privacy rdp_accountant_test.py, test_compute_rdp_scalar: compute_rdp(q=0.1, σ=2, steps=10, order=5) ≈ 0.07737 (5 places).
    [Fact]
    public void Tensorflow_privacy_compute_rdp_scalar()
    {
        var value = RdpAccountant.SubsampledGaussian(0.1, 2, 5) * 10;
        Assert.Equal(0.07737, value, 5);
    }

    // tensorflow/privacy rdp_accountant_test.py: test_compute_rdp_no_data (q = 0 → 0),
    // test_compute_rdp_no_sampling (q = 1, σ = 10, order 20 → 0.1) and
    // test_compute_heterogeneous_rdp_different_sampling_probabilities (the two composed → 0.1).
    [Fact]
    public void Tensorflow_privacy_degenerate_sampling_rates()
    {
        Assert.Equal(0, RdpAccountant.SubsampledGaussian(0, 10, 20));
        Assert.Equal(0.1, RdpAccountant.SubsampledGaussian(1, 10, 20), 15);
        var composed = RdpCurve.SubsampledGaussian(0, 10, [20]).Compose(RdpCurve.SubsampledGaussian(1, 10, [20]));
        Assert.Equal(0.1, composed.Values[0], 15);
    }

    // dp_accounting test_compute_epsilon_delta_pure_dp and tensorflow_privacy
    // test_get_privacy_spent_check_target_delta: orders 2..32, constant RDP 1.1, δ = 1e-5 →
    // ε = 1.32783806176 at order 32.
    [Fact]
    public void Pure_dp_conversion()
    {
        var orders = Enumerable.Range(2, 31).Select(o => (double)o).ToArray();
        var rdp = orders.Select(_ => 1.1).ToArray();
        var result = RdpAccountant.ToDp(orders, rdp, 1e-5);
        Precision.Relative(1.32783806176, result.Epsilon, 1e-9);
        Assert.Equal(32, result.BestOrder);
    }

    // dp_accounting test_compute_epsilon_delta_gaussian: σ = 4.530877117 is chosen to give exactly
    // (1, 1e-6)-DP over orders 0.001·i (i < 100000); checked to 7 places. Order 1.0 is left out here
    // because this accountant rejects orders ≤ 1 (the reference gives it ε = ∞).
    [Fact]
    public void Gaussian_calibrated_to_epsilon_one()
    {
        var orders = Enumerable.Range(1001, 98999).Select(i => 0.001 * i).ToArray();
        var result = RdpCurve.Gaussian(4.530877117, orders).ToDp(1e-6);
        Assert.Equal(1.0, result.Epsilon, 7);
    }

    // dp_accounting test_zero_poisson_sample: q = 0 gives ε = 0 (the KL shortcut of the conversion).
    [Fact]
    public void Zero_sampling_rate_converts_to_zero_epsilon()
    {
        var result = RdpCurve.SubsampledGaussian(0, 1.0, [3.14159]).ToDp(1e-10);
        Assert.Equal(0, result.Epsilon);
    }
}

/// <summary>
/// Fractional orders against the defining integral A_α = E_{z∼N(0,σ²)}[(1 − q + q·e^{(2z−1)/(2σ²)})^α],
/// integrated with mpmath.quad at 50 digits (the check dp_accounting's test_compute_log_a_equals_mp
/// makes at rtol 1e-4; these are the values that integral gives, held here to 1e-8).
/// </summary>
public sealed class NumericalIntegralTests
{
    [Theory]
    [InlineData(0.01, 2.5, 1.5, 1.300141794373477e-5)]
    [InlineData(0.01, 2.5, 2.5, 2.170836113834803e-5)]
    [InlineData(0.04, 1.5, 1.1, 4.816567400339177e-4)]
    [InlineData(0.5, 10.0, 1.1, 1.3770600149736e-3)]
    [InlineData(0.1, 100.0, 20.5, 1.02522145939104e-5)]
    [InlineData(0.3, 0.7, 12.5, 11.4464359493205)]
    [InlineData(1e-5, 0.1, 256.1, 12793.4419435062)]
    [InlineData(0.999, 100.0, 256.1, 0.0127797257466606)]
    public void Matches_the_integral(double q, double sigma, double order, double expected) =>
        Precision.Relative(expected, RdpAccountant.SubsampledGaussian(q, sigma, order), 1e-8);
}

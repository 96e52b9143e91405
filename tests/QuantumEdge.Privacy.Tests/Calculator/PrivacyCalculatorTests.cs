using QuantumEdge.Privacy.Accounting;
using QuantumEdge.Privacy.Calculator;

namespace QuantumEdge.Privacy.Tests.Calculator;

public sealed class PrivacyCalculatorTests
{
    [Fact]
    public void Subsampled_gaussian_reproduces_opacus()
    {
        // pytorch/opacus opacus/tests/accountants_test.py, test_rdp_accountant.
        var result = PrivacyCalculator.SubsampledGaussian(sigma: 1.5, q: 0.04, steps: 2250, delta: 1e-5);
        Precision.Relative(7.32911117143, result.Epsilon, 1e-9);
        Assert.Contains(result.BestOrder, RdpOrders.Default);
        Assert.Equal(PrivacyCalculator.SubsampledGaussianMechanism, result.Mechanism);
        Assert.Equal(2250, result.Steps);
        Assert.Equal(1e-5, result.Delta);
        Assert.Equal(1.5, result.NoiseMultiplier);
        Assert.Equal(0.04, result.SamplingRate);
        Assert.Null(result.EpsilonPerStep);
    }

    [Fact]
    public void Laplace_uses_rdp_and_reports_the_basic_sum()
    {
        var result = PrivacyCalculator.Laplace(epsilonPerStep: 0.1, steps: 1000, delta: 1e-5);
        var expected = RdpCurve.Laplace(0.1).Repeat(1000).ToDp(1e-5);
        Assert.Equal(expected.Epsilon, result.Epsilon);
        Assert.Equal(expected.BestOrder, result.BestOrder);
        Assert.Equal(100.0, result.BasicEpsilon!.Value, 9);
        Assert.True(result.Epsilon < 100.0, $"{result.Epsilon}");
        Assert.Equal(PrivacyCalculator.LaplaceMechanism, result.Mechanism);
        Assert.Null(result.NoiseMultiplier);
    }

    [Fact]
    public void No_steps_spend_nothing()
    {
        Assert.Equal(0, PrivacyCalculator.SubsampledGaussian(1.0, 0.1, 0, 1e-5).Epsilon);
        Assert.Equal(0, PrivacyCalculator.Laplace(1.0, 0, 1e-5).Epsilon);
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Equal("steps", Assert.ThrowsAny<ArgumentException>(() => PrivacyCalculator.SubsampledGaussian(1, 0.1, -1, 1e-5)).ParamName);
        Assert.Equal("sigma", Assert.ThrowsAny<ArgumentException>(() => PrivacyCalculator.SubsampledGaussian(0, 0.1, 1, 1e-5)).ParamName);
        Assert.Equal("q", Assert.ThrowsAny<ArgumentException>(() => PrivacyCalculator.SubsampledGaussian(1, 2, 1, 1e-5)).ParamName);
        Assert.Equal("delta", Assert.ThrowsAny<ArgumentException>(() => PrivacyCalculator.SubsampledGaussian(1, 0.1, 1, 2)).ParamName);
    }
}

using QuantumEdge.Privacy.Accounting;

namespace QuantumEdge.Privacy.Tests.Accounting;

public sealed class ValidationTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    public void Sigma_must_be_positive_and_finite(double sigma)
    {
        AssertNames("sigma", () => RdpAccountant.Gaussian(sigma, 2));
        AssertNames("sigma", () => RdpAccountant.SubsampledGaussian(0.1, sigma, 2));
        AssertNames("sigma", () => RdpCurve.SubsampledGaussian(0.1, sigma));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void Sampling_rate_must_be_a_probability(double q) =>
        AssertNames("q", () => RdpAccountant.SubsampledGaussian(q, 1, 2));

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(-3.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Orders_must_exceed_one_and_be_finite(double order)
    {
        AssertNames("order", () => RdpAccountant.SubsampledGaussian(0.1, 1, order));
        AssertNames("orders", () => RdpCurve.Gaussian(1, [2.0, order]));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    public void Delta_must_be_in_the_open_unit_interval(double delta)
    {
        AssertNames("delta", () => RdpCurve.Gaussian(1).ToDp(delta));
        AssertNames("delta", () => QuantumEdge.Privacy.Calculator.PrivacyCalculator.Laplace(0.1, 10, delta));
    }

    [Fact]
    public void Other_parameters_are_checked()
    {
        AssertNames("steps", () => RdpCurve.Gaussian(1).Repeat(-1));
        AssertNames("epsilon", () => RdpAccountant.Laplace(-0.1, 2));
        AssertNames("epsilon", () => RdpCurve.Laplace(double.NaN));
        AssertNames("epsilon", () => RdpAccountant.BasicComposition(double.PositiveInfinity, 3));
        AssertNames("rdp", () => RdpAccountant.ToDp([2.0, 3.0], [0.1], 1e-5));
        AssertNames("rdp", () => RdpAccountant.ToDp([2.0], [-0.1], 1e-5));
        AssertNames("orders", () => RdpAccountant.ToDp([], [], 1e-5));
    }

    private static void AssertNames(string parameter, Action action)
    {
        var error = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
    }

    private static void AssertNames(string parameter, Func<object> action) => AssertNames(parameter, () => { _ = action(); });
}

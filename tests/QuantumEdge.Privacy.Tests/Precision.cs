using System.Globalization;

namespace QuantumEdge.Privacy.Tests;

/// <summary>Assertions that compare with published values at the precision they were published with.</summary>
internal static class Precision
{
    /// <summary>Passes when |actual − expected| ≤ relative·|expected|.</summary>
    public static void Relative(double expected, double actual, double relative)
    {
        var error = Math.Abs(actual - expected);
        Assert.True(
            error <= relative * Math.Abs(expected),
            string.Create(CultureInfo.InvariantCulture, $"expected {expected:R}, got {actual:R} (relative error {error / Math.Abs(expected):E2} > {relative:E2})"));
    }

    /// <summary>Passes when <paramref name="actual"/> rounds to <paramref name="expected"/> as printed with <paramref name="significantDigits"/> digits.</summary>
    public static void Digits(double expected, double actual, int significantDigits)
    {
        var exponent = Math.Floor(Math.Log10(Math.Abs(expected)));
        var halfUnit = 0.5 * Math.Pow(10, exponent - significantDigits + 1);
        var error = Math.Abs(actual - expected);
        Assert.True(
            error <= halfUnit * (1 + 1e-9),
            string.Create(CultureInfo.InvariantCulture, $"expected {expected:R} to {significantDigits} digits, got {actual:R} (off by {error:E2}, allowed {halfUnit:E2})"));
    }
}

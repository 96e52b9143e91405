using System.Globalization;

namespace QuantumEdge.Gateway.Benchmarks.Reporting;

/// <summary>Number formatting for the report (invariant culture).</summary>
internal static class Format
{
    public static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("F3", CultureInfo.InvariantCulture);

    public static string SignedMs(double value) => double.IsNaN(value) ? "-" : value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);

    public static string Rate(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>Numbers as the report prints them: invariant culture, so every machine writes the same text.</summary>
internal static class Invariant
{
    public static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A rate with an SI prefix: 1.23 G, 456 M.</summary>
    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e12 => Format(perSecond / 1e12, "F2") + " T",
        >= 1e9 => Format(perSecond / 1e9, "F2") + " G",
        >= 1e6 => Format(perSecond / 1e6, "F2") + " M",
        >= 1e3 => Format(perSecond / 1e3, "F2") + " k",
        _ => Format(perSecond, "F0"),
    };
}

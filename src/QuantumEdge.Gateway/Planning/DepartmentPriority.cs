using System.Collections.Frozen;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// Priority of a request from its caller's department: the weight of its completion time in the
/// latency cost and its place in the greedy order. Emergency and intensive care come first;
/// research and administration yield.
/// </summary>
internal static class DepartmentPriority
{
    /// <summary>Emergency, trauma and intensive care.</summary>
    public const double Critical = 4.0;

    /// <summary>Acute specialties where minutes matter but not seconds.</summary>
    public const double Acute = 2.0;

    /// <summary>Every department not listed.</summary>
    public const double Standard = 1.0;

    /// <summary>Research, administration, IT: throughput work.</summary>
    public const double Background = 0.5;

    private static readonly FrozenDictionary<string, double> Weights = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        ["emergency"] = Critical,
        ["ed"] = Critical,
        ["er"] = Critical,
        ["icu"] = Critical,
        ["nicu"] = Critical,
        ["picu"] = Critical,
        ["trauma"] = Critical,
        ["critical_care"] = Critical,
        ["intensive_care"] = Critical,
        ["surgery"] = Acute,
        ["anesthesia"] = Acute,
        ["anaesthesia"] = Acute,
        ["cardiology"] = Acute,
        ["stroke"] = Acute,
        ["obstetrics"] = Acute,
        ["research"] = Background,
        ["admin"] = Background,
        ["administration"] = Background,
        ["billing"] = Background,
        ["it"] = Background,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static double Of(string? department) =>
        department is not null && Weights.TryGetValue(department, out var weight) ? weight : Standard;
}

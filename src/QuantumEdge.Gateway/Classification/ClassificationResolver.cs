using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Classification;

/// <summary>
/// Turns the <c>X-Data-Classification</c> header into a level, failing closed: a missing,
/// empty or unknown value is <see cref="DataClassification.Restricted"/>. Data classes come from
/// <c>compliance.data_classification</c> (phi → restricted, …); level names are accepted as is.
/// Nothing resolves below <paramref name="minimum"/> (<c>security.security_level</c>): a node at
/// confidential handles public-labelled traffic as confidential (cleared backends only, charged, audited so).
/// </summary>
public sealed class ClassificationResolver(ComplianceSettings compliance, DataClassification minimum = DataClassification.Public)
{
    /// <summary>The floor every request is raised to.</summary>
    public DataClassification Minimum => minimum;

    public const string HeaderName = "X-Data-Classification";

    private readonly Dictionary<string, DataClassification> _classes =
        new(compliance.DataClassification, StringComparer.OrdinalIgnoreCase);

    public DataClassification Resolve(string? header)
    {
        var labelled = ResolveLabel(header);
        return labelled < minimum ? minimum : labelled;
    }

    /// <summary>
    /// The level <paramref name="label"/> names (a configured class first, then a level name), before the
    /// node's floor is applied; false when it names neither. Requests fail closed on an unknown label;
    /// places where an unknown label is the caller's mistake (a batch's label, a readiness probe) ask
    /// this first and say so.
    /// </summary>
    public bool TryResolveLabel(string label, out DataClassification level)
    {
        var value = label.Trim();
        if (_classes.TryGetValue(value, out level))
        {
            return true;
        }

        return DataClassifications.TryParseLevel(value, out level);
    }

    /// <summary>Whether <paramref name="label"/> names a level or a configured class (<see cref="TryResolveLabel"/>).</summary>
    public bool IsKnown(string label) => TryResolveLabel(label, out _);

    /// <summary>What an unknown label is told to use instead.</summary>
    public const string KnownLabelsHint = "use restricted, confidential, internal, public or a class of compliance.data_classification";

    private DataClassification ResolveLabel(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return DataClassification.Restricted;
        }

        return TryResolveLabel(header, out var level) ? level : DataClassification.Restricted;
    }
}

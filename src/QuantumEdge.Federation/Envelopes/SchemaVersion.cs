using System.Globalization;

namespace QuantumEdge.Federation.Envelopes;

/// <summary>
/// The envelope schema version, "MAJOR.MINOR". Within a major version a reader ignores fields it
/// does not know (a newer minor only adds optional fields); a newer major is refused with
/// <c>unsupported_schema_version</c>, because its meaning may have changed.
/// </summary>
public readonly record struct SchemaVersion(int Major, int Minor)
{
    /// <summary>The version this code writes.</summary>
    public static SchemaVersion Current { get; } = new(1, 0);

    public static bool TryParse(string text, out SchemaVersion version)
    {
        version = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot > 4 || text.Length - dot - 1 is < 1 or > 4)
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        version = new SchemaVersion(major, minor);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}

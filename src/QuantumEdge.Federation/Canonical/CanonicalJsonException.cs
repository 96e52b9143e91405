namespace QuantumEdge.Federation.Canonical;

/// <summary>Thrown inside the canonical-JSON code only; the parser turns it into a result.</summary>
internal sealed class CanonicalJsonException(CanonicalJsonError error, string detail) : Exception(detail)
{
    public CanonicalJsonError Error { get; } = error;
}

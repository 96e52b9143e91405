using System.Diagnostics.CodeAnalysis;

namespace QuantumEdge.Federation.Canonical;

/// <summary>Entry points of the canonical-JSON code: parse untrusted bytes to a result, and canonicalise.</summary>
internal static class CanonicalJson
{
    public static bool TryParse(ReadOnlySpan<byte> utf8, CanonicalJsonLimits limits, [NotNullWhen(true)] out CanonicalNode? node,
        out CanonicalJsonError error, out string detail)
    {
        try
        {
            node = CanonicalJsonReader.Parse(utf8, limits);
            error = default;
            detail = "";
            return true;
        }
        catch (CanonicalJsonException ex)
        {
            node = null;
            error = ex.Error;
            detail = ex.Message;
            return false;
        }
    }

    public static byte[] Serialize(CanonicalNode node) => CanonicalJsonWriter.Write(node);
}

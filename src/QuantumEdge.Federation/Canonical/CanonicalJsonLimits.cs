namespace QuantumEdge.Federation.Canonical;

/// <summary>Bounds on a document read from a peer, so a hostile body cannot exhaust memory or stack.</summary>
public sealed record CanonicalJsonLimits
{
    /// <summary>Largest accepted document in bytes.</summary>
    public int MaxBytes { get; init; } = 256 * 1024;

    /// <summary>Deepest accepted nesting of objects and arrays (the root object is depth 1).</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Most values (scalars, objects, arrays) in one document.</summary>
    public int MaxValues { get; init; } = 50_000;

    /// <summary>Longest accepted string, in UTF-16 code units.</summary>
    public int MaxStringLength { get; init; } = 4096;

    public static CanonicalJsonLimits Default { get; } = new();
}

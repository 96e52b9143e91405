using QuantumEdge.Federation.Canonical;

namespace QuantumEdge.Federation.Verification;

/// <summary>Bounds of the verification pipeline.</summary>
public sealed record IntakeOptions
{
    /// <summary>How far in the future an envelope's created_at may lie (peer clocks drift); beyond it: 409 clock_skew.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Limits on the bytes of one envelope.</summary>
    public CanonicalJsonLimits Limits { get; init; } = CanonicalJsonLimits.Default;
}

namespace QuantumEdge.Gateway.Classification;

/// <summary>Sensitivity levels, least to most sensitive. Anything unknown is treated as <see cref="Restricted"/>.</summary>
public enum DataClassification
{
    Public = 0,
    Internal = 1,
    Confidential = 2,
    Restricted = 3,
}

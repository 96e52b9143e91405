namespace QuantumEdge.Federation.Envelopes;

/// <summary>Thrown inside the envelope readers only; turned into a 400 <see cref="Refusal"/>.</summary>
internal sealed class EnvelopeFormatException(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;
}

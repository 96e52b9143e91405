using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Verification;

/// <summary>
/// The outcome of submitting an envelope: accepted (with this node's signed receipt for the
/// origin's audit head, when it carried one) or refused with a status and reason.
/// </summary>
public sealed record IntakeResult
{
    private IntakeResult(Envelope? envelope, Refusal? refusal, WitnessReceipt? receipt)
    {
        Envelope = envelope;
        Refusal = refusal;
        Receipt = receipt;
    }

    /// <summary>The envelope, when it could be read (also on most refusals).</summary>
    public Envelope? Envelope { get; }

    public Refusal? Refusal { get; }

    public WitnessReceipt? Receipt { get; }

    public bool IsAccepted => Refusal is null;

    /// <summary>202 when accepted, else the refusal's status.</summary>
    public int Status => Refusal?.Status ?? 202;

    internal static IntakeResult Accept(Envelope envelope, WitnessReceipt? receipt) => new(envelope, null, receipt);

    internal static IntakeResult Refuse(Refusal refusal, Envelope? envelope = null) => new(envelope, refusal, null);
}

using System.Diagnostics.CodeAnalysis;
using System.Text;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Witness;

/// <summary>
/// A witness's signed statement "at <see cref="WitnessedAt"/> I saw <see cref="Origin"/>'s audit
/// head at <see cref="AuditSeq"/> with hash <see cref="AuditHash"/>". Ed25519 by the witness over
/// <c>"quantumedge-federation-receipt-v1" || 0x00 || JCS(receipt without "signature")</c>.
/// The origin keeps the receipts its peers return; <c>audit verify --witnesses</c> checks its
/// chain against them.
/// </summary>
public sealed record WitnessReceipt(string Witness, string Origin, long AuditSeq, byte[] AuditHash, DateTimeOffset WitnessedAt, byte[] Signature)
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("quantumedge-federation-receipt-v1\0");

    public static WitnessReceipt Create(IFederationSigner signer, string witness, string origin, AuditHead head, DateTimeOffset witnessedAt)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(head);
        var at = Timestamps.Truncate(witnessedAt);
        var unsigned = new WitnessReceipt(witness, origin, head.Seq, head.Hash, at, []);
        return unsigned with { Signature = signer.Sign(unsigned.SigningBytes()) };
    }

    public AuditHead Head => new(AuditSeq, AuditHash);

    /// <summary>True when the signature verifies under the witness's raw public key.</summary>
    public bool Verify(ReadOnlySpan<byte> witnessPublicKey) => FederationPublicKey.Verify(witnessPublicKey, SigningBytes(), Signature);

    /// <summary>The receipt's JCS JSON (signature included).</summary>
    public byte[] ToJson() => CanonicalJson.Serialize(ToNode(true));

    internal CanonicalNode ToNode(bool withSignature)
    {
        var members = new List<KeyValuePair<string, CanonicalNode>>
        {
            new("witness", CanonicalNode.String(Witness)),
            new("origin", CanonicalNode.String(Origin)),
            new("audit_seq", CanonicalNode.FromNumber(AuditSeq)),
            new("audit_hash", CanonicalNode.String(Convert.ToHexStringLower(AuditHash))),
            new("witnessed_at", CanonicalNode.String(Timestamps.Format(WitnessedAt))),
        };
        if (withSignature)
        {
            members.Add(new("signature", CanonicalNode.String(Convert.ToBase64String(Signature))));
        }

        return CanonicalNode.Object(members);
    }

    /// <summary>Reads a receipt from untrusted JSON (form only; call <see cref="Verify"/>).</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out WitnessReceipt? receipt, [NotNullWhen(false)] out string? problem)
    {
        receipt = null;
        if (!CanonicalJson.TryParse(utf8, new CanonicalJsonLimits { MaxBytes = 4096 }, out var node, out _, out var detail))
        {
            problem = detail;
            return false;
        }

        return TryRead(node, out receipt, out problem);
    }

    internal static bool TryRead(CanonicalNode node, [NotNullWhen(true)] out WitnessReceipt? receipt, [NotNullWhen(false)] out string? problem)
    {
        receipt = null;
        try
        {
            const string P = "receipt";
            var witness = Fields.String(Fields.Required(node, "witness", P), "receipt.witness", NodeId.MaxLength);
            var origin = Fields.String(Fields.Required(node, "origin", P), "receipt.origin", NodeId.MaxLength);
            if (!NodeId.IsValid(witness) || !NodeId.IsValid(origin))
            {
                problem = "receipt.witness and receipt.origin must be node ids";
                return false;
            }

            receipt = new WitnessReceipt(witness, origin,
                Fields.Integer(Fields.Required(node, "audit_seq", P), "receipt.audit_seq", 0),
                Fields.Hex(Fields.Required(node, "audit_hash", P), "receipt.audit_hash", AuditHead.HashSize),
                Fields.Timestamp(Fields.Required(node, "witnessed_at", P), "receipt.witnessed_at"),
                Fields.Base64(Fields.Required(node, "signature", P), "receipt.signature", FederationPublicKey.SignatureSize));
            problem = null;
            return true;
        }
        catch (EnvelopeFormatException ex)
        {
            problem = ex.Message;
            return false;
        }
    }

    private byte[] SigningBytes()
    {
        var body = CanonicalJson.Serialize(ToNode(false));
        var message = new byte[Domain.Length + body.Length];
        Domain.CopyTo(message, 0);
        body.CopyTo(message, Domain.Length);
        return message;
    }
}

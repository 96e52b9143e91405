using System.Text;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Tests;

/// <summary>Hand-written envelope JSON, signed correctly: for envelopes this code would never build (newer schemas, odd fields).</summary>
internal static class EnvelopeForge
{
    public static byte[] Sign(string jsonWithoutSignature, IFederationSigner signer)
    {
        Assert.True(CanonicalJson.TryParse(Encoding.UTF8.GetBytes(jsonWithoutSignature), CanonicalJsonLimits.Default, out var node, out var error, out var detail),
            $"{error}: {detail}");
        var signature = signer.Sign(EnvelopeCodec.SigningMessage(CanonicalJson.Serialize(node)));
        var signed = CanonicalNode.Object(node.Members.Append(new("signature", CanonicalNode.String(Convert.ToBase64String(signature)))));
        return CanonicalJson.Serialize(signed);
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

using System.Globalization;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// Checks a signed request (<see cref="RequestSignature"/>) on the listener: the caller must be on
/// the trust list, its timestamp within <see cref="RequestSignature.MaxSkew"/> of this node's clock,
/// its signature valid, and its nonce unseen. Nonces are remembered only for signed requests (a
/// stranger cannot fill the memory), only while their timestamp could still pass, and per peer, at
/// most <see cref="MaxNoncesPerPeer"/> each: one peer that signs requests as fast as it can is told
/// to slow down without taking the others' room. Thread-safe.
/// </summary>
internal sealed class FederationRequestVerifier(TrustList trust, string federationId, TimeProvider clock)
{
    /// <summary>Nonces remembered per peer within twice the clock skew (10 min): 16 signed requests a second, far above gossip's rate.</summary>
    public const int MaxNoncesPerPeer = 10_000;

    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, long>> _nonces = new(StringComparer.Ordinal);

    /// <summary>Null when the request is from a trusted peer; otherwise the reason and a message.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="target">The request target as received (path and query).</param>
    /// <param name="header">Reads one request header (null when absent or repeated).</param>
    public (string Reason, string Message)? Verify(string method, string target, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var node = header(RequestSignature.NodeHeader);
        var timestampText = header(RequestSignature.TimestampHeader);
        var nonce = header(RequestSignature.NonceHeader);
        var signatureText = header(RequestSignature.SignatureHeader);
        if (node is null || timestampText is null || nonce is null || signatureText is null)
        {
            return ("unsigned_request", $"this endpoint answers trusted peers only: sign the request ({RequestSignature.NodeHeader}, {RequestSignature.TimestampHeader}, {RequestSignature.NonceHeader}, {RequestSignature.SignatureHeader})");
        }

        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || nonce.Length != 32 || !nonce.All(char.IsAsciiHexDigitLower) || !TryBase64(signatureText, out var signature)
            || target.Contains('\n', StringComparison.Ordinal))
        {
            return ("malformed_request_signature", "the signature headers are malformed (timestamp: Unix seconds; nonce: 32 lower-case hex digits; signature: base64 of 64 bytes)");
        }

        if (!trust.TryGet(node, out var peer))
        {
            return ("unknown_node", $"'{NodeIdText(node)}' is not on this node's trust list");
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - timestamp) > (long)RequestSignature.MaxSkew.TotalSeconds)
        {
            return ("request_clock_skew", string.Create(CultureInfo.InvariantCulture,
                $"the request's timestamp is {timestamp - now} s from this node's clock; at most {RequestSignature.MaxSkew.TotalSeconds} s either way"));
        }

        if (!FederationPublicKey.Verify(peer.PublicKey, RequestSignature.SignedBytes(federationId, node, method, target, timestamp, nonce), signature))
        {
            return ("bad_request_signature", $"the signature is not {node}'s over {method.ToUpperInvariant()} {target.Split('?')[0]} in federation {federationId}");
        }

        lock (_gate)
        {
            if (!_nonces.TryGetValue(node, out var seen))
            {
                seen = new Dictionary<string, long>(StringComparer.Ordinal);
                _nonces[node] = seen;
            }

            if (seen.Count >= MaxNoncesPerPeer)
            {
                var expired = now - (2 * (long)RequestSignature.MaxSkew.TotalSeconds);
                foreach (var old in seen.Where(p => p.Value < expired).Select(p => p.Key).ToList())
                {
                    seen.Remove(old);
                }
            }

            if (seen.ContainsKey(nonce))
            {
                return ("replayed_request", "this signed request (its nonce) was already used");
            }

            if (seen.Count >= MaxNoncesPerPeer)
            {
                return ("too_many_requests", string.Create(CultureInfo.InvariantCulture,
                    $"'{node}' sent more than {MaxNoncesPerPeer} signed requests within {2 * RequestSignature.MaxSkew.TotalMinutes:0} min; try again later"));
            }

            seen[nonce] = now;
        }

        return null;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[64];
        return text.Length == 88 && Convert.TryFromBase64String(text, bytes, out var written) && written == 64;
    }

    private static string NodeIdText(string node) => NodeId.IsValid(node) ? node : "(not a node id)";
}

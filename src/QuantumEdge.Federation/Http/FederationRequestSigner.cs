using System.Globalization;
using System.Security.Cryptography;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Http;

/// <summary>Signs this node's requests to peers' listeners (<see cref="RequestSignature"/>).</summary>
public sealed class FederationRequestSigner(string nodeId, string federationId, IFederationSigner signer, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Adds the four signature headers for the request's method and target.</summary>
    public void Sign(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.RequestUri!.PathAndQuery;
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var signature = signer.Sign(RequestSignature.SignedBytes(federationId, nodeId, request.Method.Method, target, timestamp, nonce));
        request.Headers.Add(RequestSignature.NodeHeader, nodeId);
        request.Headers.Add(RequestSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(RequestSignature.NonceHeader, nonce);
        request.Headers.Add(RequestSignature.SignatureHeader, Convert.ToBase64String(signature));
    }
}

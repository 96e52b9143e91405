using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Lending;

/// <summary>
/// The borrower's side of lending authentication: signs one request for one lender with this
/// node's Ed25519 key and returns the headers to send. Every call draws a new request id, which is
/// all the lender learns about the request's origin inside this hospital.
/// </summary>
public sealed class LendingRequestSigner(IFederationSigner signer, string nodeId, string federationId, TimeProvider clock)
{
    /// <summary>The headers of a signed lending request (see <see cref="LendingHeaders"/>).</summary>
    /// <param name="lender">The lender's node id (signed: the request is refused by any other node).</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The protocol path, <see cref="LendingRequest.PathPrefix"/> + route.</param>
    /// <param name="classification">The data class's level name.</param>
    /// <param name="body">The exact body bytes that will be sent.</param>
    /// <param name="requestId">A fresh request id to send (drawn by the caller so it can audit it first).</param>
    public IReadOnlyList<KeyValuePair<string, string>> Sign(string lender, string method, string path, string classification, ReadOnlySpan<byte> body, string requestId)
    {
        ArgumentException.ThrowIfNullOrEmpty(lender);
        if (!LendingRequest.IsValidRequestId(requestId))
        {
            throw new ArgumentException("a lending request id is 32 lower-case hex characters", nameof(requestId));
        }

        var request = new LendingRequest(method, path, nodeId, lender, federationId, clock.GetUtcNow(), requestId, classification,
            LendingRequest.HashBody(body));
        var signature = signer.Sign(request.SigningBytes());
        return
        [
            new(LendingHeaders.From, nodeId),
            new(LendingHeaders.RequestId, requestId),
            new(LendingHeaders.Timestamp, request.TimestampText),
            new(LendingHeaders.Classification, classification),
            new(LendingHeaders.BodySha256, request.BodySha256),
            new(LendingHeaders.Signature, Convert.ToBase64String(signature)),
        ];
    }
}

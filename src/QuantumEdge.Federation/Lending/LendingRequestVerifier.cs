using QuantumEdge.Federation.Envelopes;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Lending;

/// <summary>
/// The lender's side of lending authentication, in two steps so that nothing outside the trust list
/// makes the lender buffer a body. <see cref="Authenticate"/>, on the headers alone (the signature
/// covers the body's hash), the first failure answering:
/// <list type="number">
/// <item>headers present and well formed → 400 <c>malformed_lending_request</c>;</item>
/// <item>borrower in the trust list (not this node) → 401 <c>unknown_peer</c>;</item>
/// <item>Ed25519 signature (over method, path, borrower, this node, federation, timestamp, request
/// id, classification, body hash) → 401 <c>bad_signature</c>;</item>
/// <item>timestamp within the skew window of this node's clock → 401 <c>clock_skew</c>;</item>
/// <item>borrower not quarantined → 403 <c>quarantined</c>.</item>
/// </list>
/// Then <see cref="Admit"/>, once the body is read: its hash is the signed one → 401 <c>bad_signature</c>;
/// request id not seen within the window → 409 <c>replay</c> (or 429 <c>replay_window_full</c>; 503
/// <c>replay_history_lost</c> for a request signed before a restart that lost the window, 503 <c>lender_stopping</c>
/// once the window was closed for a stop).
/// Nothing changes before that last step, so a forged, unknown, stale or tampered request leaves no
/// trace but a counter. The data class is checked by the caller (it is signed, so it is the borrower's
/// statement; the lender refuses restricted and confidential whatever it says).
/// </summary>
public sealed class LendingRequestVerifier(TrustList trust, string federationId, TimeProvider clock, Func<string, bool> isQuarantined,
    LendingReplayWindow replays, TimeSpan skew)
{
    /// <summary>The default skew window: a signed timestamp may be this far from the lender's clock either way.</summary>
    public static readonly TimeSpan DefaultSkew = TimeSpan.FromMinutes(2);

    /// <summary>Before the body is read: is the claimed borrower someone this node lends to at all?</summary>
    public LendingVerdict? RefuseEarly(string? from)
    {
        if (from is null || !NodeId.IsValid(from))
        {
            return Malformed(LendingHeaders.From, "must be a node id");
        }

        return !IsPeer(from) ? UnknownPeer(from) : null;
    }

    /// <summary>Both steps on a body already read: <see cref="Authenticate"/>, then <see cref="Admit"/>.</summary>
    /// <param name="method">The request's HTTP method.</param>
    /// <param name="path">The request's path on this listener.</param>
    /// <param name="header">Reads one request header (null when absent or repeated).</param>
    /// <param name="body">The request body as received.</param>
    public LendingVerdict Verify(string method, string path, Func<string, string?> header, ReadOnlySpan<byte> body) =>
        Authenticate(method, path, header, out var claim) ?? Admit(claim!, body);

    /// <summary>
    /// Before the body is read: who signed the headers, for this node, now, and not quarantined. Returns the
    /// refusal, or null with the signed <paramref name="claim"/> to <see cref="Admit"/> once the body is read.
    /// Changes nothing.
    /// </summary>
    /// <param name="method">The request's HTTP method.</param>
    /// <param name="path">The request's path on this listener.</param>
    /// <param name="header">Reads one request header (null when absent or repeated).</param>
    /// <param name="claim">The verified signed fields, when not refused.</param>
    public LendingVerdict? Authenticate(string method, string path, Func<string, string?> header, out LendingRequest? claim)
    {
        ArgumentNullException.ThrowIfNull(header);
        claim = null;
        var from = header(LendingHeaders.From);
        if (RefuseEarly(from) is { } early)
        {
            return early;
        }

        var requestId = header(LendingHeaders.RequestId);
        if (!LendingRequest.IsValidRequestId(requestId))
        {
            return Malformed(LendingHeaders.RequestId, "must be 32 lower-case hex characters");
        }

        var timestampText = header(LendingHeaders.Timestamp);
        // The signature covers the timestamp in this one spelling (Timestamps.Format): a peer that signed the text it
        // sent in another spelling would otherwise be told its signature is bad when its format is; one spelling only.
        if (timestampText is null || !Timestamps.TryParse(timestampText, out var timestamp)
            || !string.Equals(timestampText, Timestamps.Format(timestamp), StringComparison.Ordinal))
        {
            return Malformed(LendingHeaders.Timestamp, "must be an RFC 3339 UTC timestamp with milliseconds and 'Z', as signed (e.g. 2026-12-02T17:10:12.000Z)");
        }

        var classification = header(LendingHeaders.Classification);
        if (classification is null || classification.Length is 0 or > 32)
        {
            return Malformed(LendingHeaders.Classification, "must name the data class");
        }

        var bodyHash = header(LendingHeaders.BodySha256);
        if (bodyHash is not { Length: 64 } || !bodyHash.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            return Malformed(LendingHeaders.BodySha256, "must be 64 lower-case hex characters");
        }

        var signatureText = header(LendingHeaders.Signature);
        var signature = new byte[64];
        if (signatureText is null || !Convert.TryFromBase64String(signatureText, signature, out var written) || written != 64)
        {
            return Malformed(LendingHeaders.Signature, "must be base64 of a 64-byte Ed25519 signature");
        }

        trust.TryGet(from!, out var peer);
        var signed = new LendingRequest(method, path, from!, trust.SelfId, federationId, timestamp, requestId!, classification, bodyHash);
        if (!FederationPublicKey.Verify(peer!.PublicKey, signed.SigningBytes(), signature))
        {
            return BadSignature(from!);
        }

        var now = clock.GetUtcNow();
        if ((timestamp - now).Duration() > skew)
        {
            return LendingVerdict.Refuse(401, LendingRefusalReason.ClockSkew,
                $"the request was signed at {Timestamps.Format(timestamp)}, more than {skew.TotalSeconds:0} s from this node's clock ({Timestamps.Format(now)})");
        }

        if (isQuarantined(from!))
        {
            return LendingVerdict.Refuse(403, LendingRefusalReason.Quarantined, $"peer '{from}' is quarantined on this node (see /federation/v1/status)");
        }

        claim = signed;
        return null;
    }

    /// <summary>Once the body is read: is it the body signed for, and is the request id fresh? Only an admitted request is remembered.</summary>
    /// <param name="claim">What <see cref="Authenticate"/> verified.</param>
    /// <param name="body">The request body as received.</param>
    public LendingVerdict Admit(LendingRequest claim, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (!string.Equals(LendingRequest.HashBody(body), claim.BodySha256, StringComparison.Ordinal))
        {
            return BadSignature(claim.From);
        }

        return replays.TryRemember(claim.From, claim.RequestId, claim.Timestamp, clock.GetUtcNow()) switch
        {
            LendingReplayWindow.Outcome.Replay => LendingVerdict.Refuse(409, LendingRefusalReason.Replay,
                $"request id {claim.RequestId} from '{claim.From}' was already used; every lending request needs a fresh id"),
            LendingReplayWindow.Outcome.Full => LendingVerdict.Refuse(429, LendingRefusalReason.ReplayWindowFull,
                $"peer '{claim.From}' sent more requests within {2 * skew.TotalSeconds:0} s than this node remembers; try again shortly"),
            LendingReplayWindow.Outcome.HistoryLost => LendingVerdict.Refuse(503, LendingRefusalReason.ReplayHistoryLost,
                $"this node restarted without the request ids it had admitted, so a request signed up to {Timestamps.Format(replays.DistrustedUpTo)} could be a replay; sign a fresh request after that"),
            LendingReplayWindow.Outcome.Closed => LendingVerdict.Refuse(503, LendingRefusalReason.LenderStopping,
                "this node is stopping and admits no more lending requests"),
            _ => LendingVerdict.Accept(claim.From, claim.RequestId, claim.Classification),
        };
    }

    private static LendingVerdict BadSignature(string from) =>
        LendingVerdict.Refuse(401, LendingRefusalReason.BadSignature,
            $"the lending signature does not verify under the public key configured for '{from}' (for this node, this path and this body)");

    private bool IsPeer(string id) => !string.Equals(id, trust.SelfId, StringComparison.Ordinal) && trust.TryGet(id, out _);

    private static LendingVerdict UnknownPeer(string from) =>
        LendingVerdict.Refuse(401, LendingRefusalReason.UnknownPeer, $"'{from}' is not in this node's federation peers");

    private static LendingVerdict Malformed(string header, string problem) =>
        LendingVerdict.Refuse(400, LendingRefusalReason.Malformed, $"header {header} {problem}");
}

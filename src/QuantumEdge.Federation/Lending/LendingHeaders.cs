namespace QuantumEdge.Federation.Lending;

/// <summary>
/// The HTTP headers of a lending request (borrower → lender) and of a lender's refusal. The
/// classification travels in the same <c>X-Data-Classification</c> header as on the API, but
/// here it is signed and must be a level name (<c>public</c> or <c>internal</c>).
/// </summary>
public static class LendingHeaders
{
    /// <summary>The borrowing node's id (must be in the lender's trust list).</summary>
    public const string From = "X-QuantumEdge-Lend-From";
    /// <summary>A fresh random id per request (32 lower-case hex): pseudonymous, refused when seen again.</summary>
    public const string RequestId = "X-QuantumEdge-Lend-Request-Id";
    /// <summary>When the borrower signed the request (RFC 3339 UTC).</summary>
    public const string Timestamp = "X-QuantumEdge-Lend-Timestamp";
    public const string Classification = "X-Data-Classification";
    /// <summary>SHA-256 of the request body, 64 lower-case hex.</summary>
    public const string BodySha256 = "X-QuantumEdge-Lend-Body-SHA256";
    /// <summary>Base64 of the Ed25519 signature (see <see cref="LendingRequest.SigningBytes"/>).</summary>
    public const string Signature = "X-QuantumEdge-Lend-Signature";
    /// <summary>Set on every refusal by the lending layer (not on answers of the lender's backends): the reason.</summary>
    public const string Refusal = "X-QuantumEdge-Lend-Refusal";
}

using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Federation.Canonical;
using QuantumEdge.Federation.Envelopes;

namespace QuantumEdge.Federation.Lending;

/// <summary>
/// What a lending signature covers: the HTTP method and protocol path, the borrower and the
/// lender (so a request signed for one lender cannot be replayed at another), the federation,
/// the signing time, the request id, the data class and the SHA-256 of the body. The signed
/// bytes are <c>"quantumedge-federation-lend-v1" || 0x00 || JCS(object of these fields)</c>.
/// </summary>
public sealed record LendingRequest(
    string Method,
    string Path,
    string From,
    string To,
    string FederationId,
    DateTimeOffset Timestamp,
    string RequestId,
    string Classification,
    string BodySha256)
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("quantumedge-federation-lend-v1\0");

    /// <summary>The path prefix of the lending endpoints on a federation listener.</summary>
    public const string PathPrefix = "/federation/v1/lend/";

    /// <summary>SHA-256 of a body as 64 lower-case hex.</summary>
    public static string HashBody(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>A fresh pseudonymous request id: 16 random bytes as lower-case hex.</summary>
    public static string NewRequestId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>True for a well-formed request id (32 lower-case hex).</summary>
    public static bool IsValidRequestId(string? id) => id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>The signing time as it travels (RFC 3339 UTC, milliseconds).</summary>
    public string TimestampText => Timestamps.Format(Timestamp);

    /// <summary>The bytes the borrower signs and the lender verifies.</summary>
    public byte[] SigningBytes()
    {
        var node = CanonicalNode.Object(
        [
            new("body_sha256", CanonicalNode.String(BodySha256)),
            new("classification", CanonicalNode.String(Classification)),
            new("federation_id", CanonicalNode.String(FederationId)),
            new("from", CanonicalNode.String(From)),
            new("method", CanonicalNode.String(Method)),
            new("path", CanonicalNode.String(Path)),
            new("request_id", CanonicalNode.String(RequestId)),
            new("timestamp", CanonicalNode.String(TimestampText)),
            new("to", CanonicalNode.String(To)),
        ]);
        var json = CanonicalJson.Serialize(node);
        var bytes = new byte[Domain.Length + json.Length];
        Domain.CopyTo(bytes, 0);
        json.CopyTo(bytes, Domain.Length);
        return bytes;
    }
}

using System.Globalization;
using System.Text;

namespace QuantumEdge.Federation.Http;

/// <summary>
/// The signed-request scheme by which a node proves to a peer's listener that it is a trusted peer
/// (the listener's GET endpoints require it). Four headers: <see cref="NodeHeader"/> (the caller's
/// node id), <see cref="TimestampHeader"/> (Unix seconds), <see cref="NonceHeader"/> (32 lower-case
/// hex digits, fresh per request) and <see cref="SignatureHeader"/> (base64 of the caller's Ed25519
/// signature over <see cref="SignedBytes"/>).
/// </summary>
internal static class RequestSignature
{
    public const string NodeHeader = "QuantumEdge-Federation-Node";
    public const string TimestampHeader = "QuantumEdge-Federation-Timestamp";
    public const string NonceHeader = "QuantumEdge-Federation-Nonce";
    public const string SignatureHeader = "QuantumEdge-Federation-Signature";

    /// <summary>How far a request's timestamp may be from the listener's clock, either way.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    private const string Domain = "quantumedge-federation-request-v1";

    /// <summary>
    /// What is signed: <c>"quantumedge-federation-request-v1" || 0x00 ||</c> UTF-8 of federation id,
    /// node id, method (upper case), request target (path and query exactly as sent), timestamp and
    /// nonce, each followed by a line feed. None of the parts can hold a line feed.
    /// </summary>
    public static byte[] SignedBytes(string federationId, string nodeId, string method, string target, long timestamp, string nonce)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{federationId}\n{nodeId}\n{method.ToUpperInvariant()}\n{target}\n{timestamp}\n{nonce}\n");
        var bytes = new byte[Domain.Length + 1 + Encoding.UTF8.GetByteCount(text)];
        Encoding.ASCII.GetBytes(Domain, bytes);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(Domain.Length + 1));
        return bytes;
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace QuantumEdge.Gateway.Tests.Auth;

/// <summary>
/// Tokens written by hand, so that keys can repeat and values take any shape, signed with the tests'
/// HS256 secret or an RSA key (the local OIDC authority's).
/// </summary>
internal static class HandSignedTokens
{
    /// <summary>Long enough for HS512 too.</summary>
    public const string Secret = "test-secret-that-is-long-enough-for-hs256-and-for-hs512-0123456789abcdef";

    /// <summary>The audience the OIDC-mode authenticators of these tests accept.</summary>
    public const string OidcAudience = "quantumedge-api";

    public const string Hs256Header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    public static string Rs256Header => $"{{\"alg\":\"RS256\",\"kid\":\"{LocalOidcAuthority.KeyId}\",\"typ\":\"JWT\"}}";

    public static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    public static string SignHs256(string header, string payload)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string SignRs256(RSA key, string header, string payload)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }
}

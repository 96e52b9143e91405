using System.Security.Cryptography;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using static QuantumEdge.Gateway.Tests.Auth.HandSignedTokens;

namespace QuantumEdge.Gateway.Tests.Auth;

/// <summary>
/// Validly signed tokens whose identity claims could be read more than one way: each must be
/// refused naming the claim, on the HS256 path and on the OIDC path alike.
/// </summary>
public sealed class AmbiguousClaimsTests : IAsyncLifetime
{
    private readonly JwtAuthenticator _hs256 = new(new AuthSettings { JwtSecret = Secret });
    private LocalOidcAuthority _authority = null!;
    private JwtAuthenticator _oidc = null!;

    public async Task InitializeAsync()
    {
        _authority = await LocalOidcAuthority.StartAsync();
        _oidc = new JwtAuthenticator(new AuthSettings
        {
            Mode = "oidc",
            Authority = _authority.Issuer,
            RequireHttpsMetadata = false,
            Issuer = _authority.Issuer,
            Audience = OidcAudience,
        });
    }

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    /// <summary>The identity part of a payload, written by hand so that keys can repeat and values can be lists.</summary>
    public static TheoryData<string, string> Ambiguous => new()
    {
        { "\"sub\":\"u\",\"role\":[\"admin\"],\"department\":\"icu\"", "role" },
        { "\"sub\":\"u\",\"role\":[\"doctor\",\"admin\"],\"department\":\"icu\"", "role" },
        { "\"sub\":\"u\",\"role\":\"researcher\",\"role\":\"admin\",\"department\":\"icu\"", "role" },
        { "\"sub\":\"u\",\"role\":\"admin\",\"role\":\"researcher\",\"department\":\"icu\"", "role" },
        { "\"sub\":\"u\",\"\\u0072ole\":\"researcher\",\"role\":\"admin\",\"department\":\"icu\"", "role" },
        { "\"sub\":[\"u\"],\"role\":\"doctor\",\"department\":\"icu\"", "sub" },
        { "\"sub\":\"u\",\"sub\":\"v\",\"role\":\"doctor\",\"department\":\"icu\"", "sub" },
        { "\"sub\":\"u\",\"role\":\"doctor\",\"department\":[\"icu\"]", "department" },
        { "\"sub\":\"u\",\"role\":\"doctor\",\"department\":\"icu\",\"department\":\"emergency\"", "department" },
        { "\"sub\":\"u\",\"role\":{\"name\":\"admin\"},\"department\":\"icu\"", "role" },
        { "\"sub\":\"u\",\"role\":1,\"department\":\"icu\"", "role" },
    };

    [Theory]
    [MemberData(nameof(Ambiguous))]
    public async Task An_hs256_token_with_an_ambiguous_identity_claim_is_refused_naming_it(string identity, string claim)
    {
        var token = SignHs256(Payload("quantumedge", "quantumedge", identity));

        var e = await Assert.ThrowsAsync<TokenRejectedException>(() => _hs256.AuthenticateAsync("Bearer " + token));

        Assert.Contains($"'{claim}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ambiguous))]
    public async Task An_oidc_token_with_an_ambiguous_identity_claim_is_refused_naming_it(string identity, string claim)
    {
        var token = SignRs256(_authority.SigningKey, Payload(_authority.Issuer, OidcAudience, identity));

        var e = await Assert.ThrowsAsync<TokenRejectedException>(() => _oidc.AuthenticateAsync("Bearer " + token));

        Assert.Contains($"'{claim}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hand_signed_tokens_with_plain_claims_are_accepted_on_both_paths()
    {
        // Shows that the refusals above come from the claims, not from the hand-made signatures.
        const string identity = "\"sub\":\"u\",\"role\":\"doctor\",\"department\":\"icu\",\"groups\":[\"a\",\"b\"]";

        var hs = await _hs256.AuthenticateAsync("Bearer " + SignHs256(Payload("quantumedge", "quantumedge", identity)));
        var oidc = await _oidc.AuthenticateAsync("Bearer " + SignRs256(_authority.SigningKey, Payload(_authority.Issuer, OidcAudience, identity)));

        Assert.Equal(("u", "doctor", "icu"), (hs.Subject, hs.Role, hs.Department));
        Assert.Equal(("u", "doctor", "icu"), (oidc.Subject, oidc.Role, oidc.Department));
    }

    [Theory]
    [InlineData("Admin")]
    [InlineData("ADMIN")]
    [InlineData("admin ")]
    public async Task A_role_that_differs_from_a_configured_one_in_case_or_spacing_holds_no_permission(string role)
    {
        var roles = new RolePermissions(new SecuritySettings());
        var caller = await _hs256.AuthenticateAsync("Bearer " + SignHs256(Payload("quantumedge", "quantumedge", $"\"sub\":\"u\",\"role\":\"{role}\",\"department\":\"icu\"")));

        Assert.Equal(role, caller.Role);
        Assert.False(roles.IsKnownRole(caller.Role));
        Assert.False(roles.Allows(caller.Role, RolePermissions.Query));
        Assert.True(roles.Allows("admin", RolePermissions.Query));
    }

    private static string Payload(string issuer, string audience, string identity)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"{{\"iss\":\"{issuer}\",\"aud\":\"{audience}\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600},{identity}}}";
    }

    private static string SignHs256(string payload) => HandSignedTokens.SignHs256(Hs256Header, payload);

    private static string SignRs256(RSA key, string payload) => HandSignedTokens.SignRs256(key, Rs256Header, payload);
}

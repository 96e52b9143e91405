using System.Security.Cryptography;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Auth;

public sealed class OidcAuthenticationTests : IAsyncLifetime
{
    private const string Audience = "quantumedge-api";
    private LocalOidcAuthority _authority = null!;
    private JwtAuthenticator _auth = null!;

    public async Task InitializeAsync()
    {
        _authority = await LocalOidcAuthority.StartAsync();
        _auth = new JwtAuthenticator(new AuthSettings
        {
            Mode = "oidc",
            Authority = _authority.Issuer,
            RequireHttpsMetadata = false,
            Issuer = _authority.Issuer,
            Audience = Audience,
        });
    }

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    private static Dictionary<string, object> Claims() => new()
    {
        ["sub"] = "dr.quinn",
        ["role"] = "doctor",
        ["department"] = "cardiology",
    };

    [Fact]
    public async Task An_rs256_token_from_the_authority_validates_with_its_published_key()
    {
        var caller = await _auth.AuthenticateAsync("Bearer " + _authority.Sign(Audience, Claims()));

        Assert.Equal(new CallerIdentity("dr.quinn", "doctor", "cardiology", caller.ExpiresAt) { IssuedAt = caller.IssuedAt }, caller);
        Assert.True(caller.ExpiresAt > DateTimeOffset.UtcNow);
        Assert.True(_authority.DiscoveryRequests >= 1);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_under_the_published_key_id_is_refused()
    {
        using var stranger = RSA.Create(2048);

        var e = await Assert.ThrowsAsync<TokenRejectedException>(
            () => _auth.AuthenticateAsync("Bearer " + _authority.Sign(Audience, Claims(), stranger)));

        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_by_an_unpublished_key_is_refused()
    {
        using var stranger = RSA.Create(2048);

        var e = await Assert.ThrowsAsync<TokenRejectedException>(
            () => _auth.AuthenticateAsync("Bearer " + _authority.Sign(Audience, Claims(), stranger, keyId: "stranger-key")));

        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        var e = await Assert.ThrowsAsync<TokenRejectedException>(
            () => _auth.AuthenticateAsync("Bearer " + _authority.Sign("another-api", Claims())));

        Assert.Contains("audience", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_claiming_another_issuer_is_refused_even_with_the_right_key()
    {
        var e = await Assert.ThrowsAsync<TokenRejectedException>(
            () => _auth.AuthenticateAsync("Bearer " + _authority.Sign(Audience, Claims(), issuer: "https://evil.example.org")));

        Assert.Contains("issuer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_hs256_token_is_refused_in_oidc_mode()
    {
        var hs = new JwtAuthenticator(new AuthSettings { JwtSecret = "test-secret-that-is-long-enough-for-hs256-0123456789", Issuer = _authority.Issuer, Audience = Audience });

        await Assert.ThrowsAsync<TokenRejectedException>(
            () => _auth.AuthenticateAsync("Bearer " + hs.Issue("u", "admin", "it", TimeSpan.FromHours(1))));
    }

    [Fact]
    public void Tokens_cannot_be_issued_in_oidc_mode()
    {
        Assert.Throws<InvalidOperationException>(() => _auth.Issue("u", "doctor", "icu", TimeSpan.FromHours(1)));
    }
}

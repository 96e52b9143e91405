using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Auth;

public sealed class JwtAuthenticatorTests
{
    // Long enough for HS512 too, so that the algorithm test signs with the right secret.
    private const string Secret = "test-secret-that-is-long-enough-for-hs256-and-for-hs512-0123456789abcdef";
    private static readonly AuthSettings Settings = new() { JwtSecret = Secret };
    private readonly JwtAuthenticator _auth = new(Settings);

    private static string Bearer(string token) => "Bearer " + token;

    private async Task<TokenRejectedException> RejectedAsync(string? header) =>
        await Assert.ThrowsAsync<TokenRejectedException>(() => _auth.AuthenticateAsync(header));

    /// <summary>Signs a token with the test secret, with full control over its claims and times.</summary>
    private static string Sign(Dictionary<string, object> claims, DateTime? expires, string algorithm = SecurityAlgorithms.HmacSha256, string? secret = null)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret ?? Secret));
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "quantumedge",
            Audience = "quantumedge",
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    private static Dictionary<string, object> FullClaims() => new()
    {
        ["sub"] = "dr.house",
        ["role"] = "doctor",
        ["department"] = "diagnostics",
    };

    [Fact]
    public async Task An_issued_token_validates_and_carries_sub_role_and_department()
    {
        var now = DateTimeOffset.UtcNow;
        var token = _auth.Issue("nurse.joy", "nurse", "emergency", TimeSpan.FromHours(8), now);

        var caller = await _auth.AuthenticateAsync(Bearer(token));

        Assert.Equal("nurse.joy", caller.Subject);
        Assert.Equal("nurse", caller.Role);
        Assert.Equal("emergency", caller.Department);
        Assert.InRange(caller.ExpiresAt, now.AddHours(8).AddSeconds(-1), now.AddHours(8).AddSeconds(1));
    }

    [Theory]
    [InlineData(3600, false)]
    [InlineData(365 * 86400, false)]
    [InlineData(10, true)]
    [InlineData(-60, true)]
    public async Task A_token_issued_in_the_future_beyond_the_clock_skew_is_refused(int issuedInSeconds, bool accepted)
    {
        // A forward-dated iat escaped every revoke-tokens (revocation compares iat with its stamp).
        var claims = FullClaims();
        claims["iat"] = DateTimeOffset.UtcNow.AddSeconds(issuedInSeconds).ToUnixTimeSeconds();
        var token = Sign(claims, DateTime.UtcNow.AddSeconds(Math.Max(issuedInSeconds, 0) + 3600));

        if (accepted)
        {
            Assert.Equal("dr.house", (await _auth.AuthenticateAsync(Bearer(token))).Subject);
        }
        else
        {
            Assert.Contains("iat", (await RejectedAsync(Bearer(token))).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("bearer ")]
    [InlineData("BEARER ")]
    [InlineData("Bearer   ")]
    public async Task The_scheme_name_is_case_insensitive_and_space_tolerant(string prefix)
    {
        var token = _auth.Issue("u", "researcher", "research", TimeSpan.FromMinutes(5));

        var caller = await _auth.AuthenticateAsync(prefix + token);

        Assert.Equal("researcher", caller.Role);
    }

    [Fact]
    public async Task A_validated_token_is_served_from_the_cache_whatever_spaces_surround_it()
    {
        var token = _auth.Issue("u", "nurse", "icu", TimeSpan.FromMinutes(5));

        var first = await _auth.AuthenticateAsync("Bearer " + token);
        var padded = await _auth.AuthenticateAsync("Bearer   " + token + "  ");
        await RejectedAsync("Bearer " + token + "x");

        // The cache is looked up by the header's trimmed text: the same identity object, no second validation.
        Assert.Same(first, padded);
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        var token = _auth.Issue("u", "doctor", "icu", TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddHours(-2));

        var e = await RejectedAsync(Bearer(token));

        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_is_not_yet_valid_is_rejected()
    {
        var token = _auth.Issue("u", "doctor", "icu", TimeSpan.FromHours(8), DateTimeOffset.UtcNow.AddHours(1));

        var e = await RejectedAsync(Bearer(token));

        Assert.Contains("not yet valid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_secret_is_rejected()
    {
        var other = new JwtAuthenticator(new AuthSettings { JwtSecret = "another-secret-of-sufficient-length-0123456789" });
        var token = other.Issue("u", "admin", "it", TimeSpan.FromHours(1));

        var e = await RejectedAsync(Bearer(token));

        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_is_rejected()
    {
        var parts = _auth.Issue("u", "nurse", "icu", TimeSpan.FromHours(1)).Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]);
        Assert.Contains("\"nurse\"", payload, StringComparison.Ordinal);
        var forged = Base64UrlEncoder.Encode(payload.Replace("\"nurse\"", "\"admin\"", StringComparison.Ordinal));

        var e = await RejectedAsync(Bearer($"{parts[0]}.{forged}.{parts[2]}"));

        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_whose_signature_was_stripped_is_rejected()
    {
        var parts = _auth.Issue("u", "nurse", "icu", TimeSpan.FromHours(1)).Split('.');

        var e = await RejectedAsync(Bearer($"{parts[0]}.{parts[1]}."));

        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public async Task An_alg_none_token_is_rejected()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode(
            $$"""{"iss":"quantumedge","aud":"quantumedge","exp":{{exp}},"sub":"mallory","role":"admin","department":"it"}""");

        var e = await RejectedAsync(Bearer($"{header}.{payload}."));

        Assert.Matches("signature|algorithm|invalid", e.Message);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha384)]
    [InlineData(SecurityAlgorithms.HmacSha512)]
    public async Task Only_hs256_is_accepted_even_with_the_right_secret(string algorithm)
    {
        var token = Sign(FullClaims(), DateTime.UtcNow.AddHours(1), algorithm);

        var e = await RejectedAsync(Bearer(token));

        Assert.Matches("algorithm|signature", e.Message);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("abc.def")]
    [InlineData("abc.def.ghi")]
    [InlineData("a.b.c.d.e.f")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.%%%%.sig")]
    public async Task A_malformed_token_is_rejected(string token)
    {
        var e = await RejectedAsync(Bearer(token));

        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_token_is_rejected_as_malformed()
    {
        var e = await RejectedAsync(Bearer(new string('a', 20_000)));

        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("role")]
    [InlineData("department")]
    public async Task A_token_missing_a_required_claim_is_rejected_naming_it(string claim)
    {
        var claims = FullClaims();
        claims.Remove(claim);

        var e = await RejectedAsync(Bearer(Sign(claims, DateTime.UtcNow.AddHours(1))));

        Assert.Contains($"'{claim}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_an_empty_claim_is_rejected()
    {
        var claims = FullClaims();
        claims["role"] = "  ";

        var e = await RejectedAsync(Bearer(Sign(claims, DateTime.UtcNow.AddHours(1))));

        Assert.Contains("'role'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_an_expiry_is_rejected()
    {
        var e = await RejectedAsync(Bearer(Sign(FullClaims(), expires: null)));

        Assert.Contains("expiry", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_another_issuer_is_rejected()
    {
        var other = new JwtAuthenticator(Settings with { Issuer = "some-other-hospital" });
        var token = other.Issue("u", "doctor", "icu", TimeSpan.FromHours(1));

        var e = await RejectedAsync(Bearer(token));

        Assert.Contains("issuer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_rejected()
    {
        var other = new JwtAuthenticator(Settings with { Audience = "billing-system" });
        var token = other.Issue("u", "doctor", "icu", TimeSpan.FromHours(1));

        var e = await RejectedAsync(Bearer(token));

        Assert.Contains("audience", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("   ", "missing")]
    [InlineData("Bearer", "Bearer")]
    [InlineData("Bearer ", "bearer token")]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer")]
    [InlineData("Token abc", "Bearer")]
    public async Task A_header_without_a_bearer_token_is_rejected(string? header, string problem)
    {
        var e = await RejectedAsync(header);

        Assert.Contains(problem, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_bare_token_without_the_bearer_prefix_is_rejected()
    {
        var token = _auth.Issue("u", "doctor", "icu", TimeSpan.FromHours(1));

        var e = await RejectedAsync(token);

        Assert.Contains("Bearer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_JWT_SECRET_is_a_configuration_error_naming_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => new JwtAuthenticator(new AuthSettings()));

        Assert.Equal("JWT_SECRET", e.Key);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789012345678901234567890")]
    public void A_JWT_SECRET_under_256_bits_is_a_configuration_error_naming_it(string secret)
    {
        var e = Assert.Throws<ConfigurationException>(() => new JwtAuthenticator(new AuthSettings { JwtSecret = secret }));

        Assert.Equal("JWT_SECRET", e.Key);
        Assert.Contains("32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JWT_SECRET_of_exactly_256_bits_is_accepted()
    {
        var auth = new JwtAuthenticator(new AuthSettings { JwtSecret = "01234567890123456789012345678901" });

        var caller = await auth.AuthenticateAsync(Bearer(auth.Issue("u", "admin", "it", TimeSpan.FromMinutes(1))));

        Assert.Equal("u", caller.Subject);
    }

    [Fact]
    public async Task The_secret_read_from_the_environment_is_the_one_used()
    {
        var config = ConfigurationLoader.Parse("", "test.yaml", name => name == "JWT_SECRET" ? Secret : null);
        var auth = new JwtAuthenticator(config.Auth);

        var caller = await _auth.AuthenticateAsync(Bearer(auth.Issue("u", "nurse", "icu", TimeSpan.FromMinutes(5))));

        Assert.Equal("nurse", caller.Role);
    }

    [Fact]
    public async Task Two_authorization_headers_are_refused_as_two_not_as_a_malformed_token()
    {
        var token = _auth.Issue("u", "researcher", "research", TimeSpan.FromMinutes(5));
        var headers = new Microsoft.Extensions.Primitives.StringValues([Bearer(token), Bearer(token)]);

        var e = await Assert.ThrowsAsync<TokenRejectedException>(() => _auth.AuthenticateAsync(headers));

        Assert.Equal("2 Authorization headers were sent: send exactly one, 'Authorization: Bearer <token>'", e.Message);
        Assert.Equal("u", (await _auth.AuthenticateAsync(new Microsoft.Extensions.Primitives.StringValues(Bearer(token)))).Subject);
    }
}

using Microsoft.IdentityModel.Tokens;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using static QuantumEdge.Gateway.Tests.Auth.HandSignedTokens;

namespace QuantumEdge.Gateway.Tests.Auth;

/// <summary>
/// Validly signed tokens whose form RFC 7515/7519 do not allow and the token library would have read
/// one way or another: each is refused naming what is wrong, on the HS256 and the OIDC path alike.
/// </summary>
public sealed class TokenSyntaxTests : IAsyncLifetime
{
    private const string Identity = "\"sub\":\"u\",\"role\":\"doctor\",\"department\":\"icu\"";
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

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Payload members (before the identity) that the library accepted, and what the refusal names.</summary>
    public static TheoryData<string, string> OddPayloads => new()
    {
        { $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":{Now - 600},\"exp\":{Now + 3600}", "'exp' more than once" },
        { $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":{Now + 3600},\"e\\u0078p\":{Now + 7200}", "'exp' more than once" },
        { $"\"iss\":\"elsewhere\",\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":{Now + 3600}", "'iss' more than once" },
        { $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"aud\":\"{{aud}}\",\"exp\":{Now + 3600}", "'aud' more than once" },
        { $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":\"{Now + 3600}\"", "'exp' claim must be a number" },
        { $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":{Now + 3600},\"nbf\":\"{Now - 60}\"", "'nbf' claim must be a number" },
        { $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":{Now + 3600},\"iat\":\"{Now}\"", "'iat' claim must be a number" },
    };

    [Theory]
    [MemberData(nameof(OddPayloads))]
    public async Task A_signed_token_with_an_odd_payload_is_refused_naming_it(string members, string named)
    {
        var hs = await RefusedAsync(_hs256, SignHs256(Header("HS256"), Payload(members, "quantumedge", "quantumedge")));
        var oidc = await RefusedAsync(_oidc, SignRs256(Header("RS256"), Payload(members, _authority.Issuer, OidcAudience)));

        Assert.Contains(named, hs.Message, StringComparison.Ordinal);
        Assert.Contains(named, oidc.Message, StringComparison.Ordinal);
        Assert.StartsWith("malformed bearer token: ", hs.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"alg\":\"{alg}\",\"typ\":\"JWT\",\"crit\":[\"exp-ext\"],\"exp-ext\":1}", "critical extensions ('crit')")]
    [InlineData("{\"alg\":\"{alg}\",\"alg\":\"{alg}\",\"typ\":\"JWT\"}", "'alg' more than once")]
    [InlineData("{\"alg\":\"{alg}\",\"typ\":\"JWT\"} {}", "header is not valid JSON")]
    [InlineData("[\"{alg}\"]", "not a JSON object")]
    public async Task A_signed_token_with_an_odd_header_is_refused_naming_it(string header, string named)
    {
        var members = $"\"iss\":\"{{iss}}\",\"aud\":\"{{aud}}\",\"exp\":{Now + 3600}";
        var hs = await RefusedAsync(_hs256, SignHs256(header.Replace("{alg}", "HS256", StringComparison.Ordinal), Payload(members, "quantumedge", "quantumedge")));
        var oidc = await RefusedAsync(_oidc, SignRs256(header.Replace("{alg}", "RS256", StringComparison.Ordinal), Payload(members, _authority.Issuer, OidcAudience)));

        Assert.Contains(named, hs.Message, StringComparison.Ordinal);
        Assert.Contains(named, oidc.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=", "signature is not base64url")]
    [InlineData("==", "signature is not base64url")]
    [InlineData("!", "signature is not base64url")]
    [InlineData(".", "three base64url parts")]
    public async Task A_valid_token_with_bytes_after_its_signature_is_refused(string suffix, string named)
    {
        var token = _hs256.Issue("u", "doctor", "icu", TimeSpan.FromHours(1));

        var e = await RefusedAsync(_hs256, token + suffix);

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Equal("u", (await _hs256.AuthenticateAsync("Bearer " + token)).Subject);
    }

    [Fact]
    public async Task Plain_tokens_in_both_modes_pass_the_check_with_an_audience_list_and_extra_members()
    {
        var members = $"\"iss\":\"{{iss}}\",\"aud\":[\"other\",\"{{aud}}\"],\"exp\":{Now + 3600}.5,\"nbf\":{Now - 60},\"iat\":{Now},\"groups\":[\"a\"],\"extra\":{{\"exp\":\"nested\"}}";

        var hs = await _hs256.AuthenticateAsync("Bearer " + SignHs256("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k\"}", Payload(members, "quantumedge", "quantumedge")));
        var oidc = await _oidc.AuthenticateAsync("Bearer " + SignRs256(Header("RS256"), Payload(members, _authority.Issuer, OidcAudience)));

        Assert.Equal(("u", "doctor", "icu"), (hs.Subject, hs.Role, hs.Department));
        Assert.Equal(("u", "doctor", "icu"), (oidc.Subject, oidc.Role, oidc.Department));
        Assert.Equal("u", (await _hs256.AuthenticateAsync("Bearer " + _hs256.Issue("u", "doctor", "icu", TimeSpan.FromHours(1)))).Subject);
    }

    [Theory]
    [InlineData("a.b", "three base64url parts")]
    [InlineData("a.b.c.d", "three base64url parts")]
    [InlineData(".eyJ9.c2ln", "header is empty")]
    [InlineData("eyJ9..c2ln", "payload is empty")]
    [InlineData("eyJ9.eyJ9.", "signature is empty")]
    [InlineData("eyJ9.eyJ9=.c2ln", "payload is not base64url")]
    [InlineData("eyJ9.e.c2ln", "payload is not base64url")]
    [InlineData("eyJhIjox.eyJ9.c2ln", "header is not valid JSON")]
    public void The_form_is_checked_part_by_part(string token, string named) =>
        Assert.Contains(named, TokenSyntax.Problem(token), StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"\\ud800\":1}")]
    [InlineData("{\"\\udc00x\":1}")]
    public async Task A_member_that_is_not_text_is_refused_as_malformed_not_thrown(string payload)
    {
        var token = Encode("{\"alg\":\"HS256\"}") + "." + Encode(payload) + ".c2ln";

        Assert.Equal("the token's payload is not valid JSON", TokenSyntax.Problem(token));
        Assert.StartsWith("malformed bearer token: ", (await RefusedAsync(_hs256, token)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_name_with_bytes_that_are_not_utf8_is_refused_as_malformed_not_thrown()
    {
        var payload = Base64UrlEncoder.Encode([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        var token = Encode("{\"alg\":\"HS256\"}") + "." + payload + ".c2ln";

        Assert.Equal("the token's payload is not valid JSON", TokenSyntax.Problem(token));
        Assert.StartsWith("malformed bearer token: ", (await RefusedAsync(_hs256, token)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_member_name_that_is_not_printable_is_not_echoed()
    {
        var token = Encode("{\"alg\":\"HS256\"}") + "." + Encode("{\"a\\nb\":1,\"a\\nb\":2}") + ".c2ln";

        Assert.Equal("the token's payload gives '(a member name)' more than once", TokenSyntax.Problem(token));
    }

    private static async Task<TokenRejectedException> RefusedAsync(JwtAuthenticator authenticator, string token) =>
        await Assert.ThrowsAsync<TokenRejectedException>(() => authenticator.AuthenticateAsync("Bearer " + token));

    private static string Header(string algorithm) => algorithm == "HS256" ? Hs256Header : Rs256Header;

    private static string Payload(string members, string issuer, string audience) =>
        "{" + members.Replace("{iss}", issuer, StringComparison.Ordinal).Replace("{aud}", audience, StringComparison.Ordinal) + "," + Identity + "}";

    /// <summary>Signs with the local authority's key, naming it in the header (kid) unless the header does.</summary>
    private string SignRs256(string header, string payload) => HandSignedTokens.SignRs256(_authority.SigningKey,
        header.Contains("kid", StringComparison.Ordinal) ? header : header.Replace("\"typ\"", $"\"kid\":\"{LocalOidcAuthority.KeyId}\",\"typ\"", StringComparison.Ordinal), payload);
}

using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace QuantumEdge.Gateway.Tests.Auth;

/// <summary>
/// A minimal OpenID Connect authority on loopback: a discovery document and a JWKS holding one
/// RSA signing key, which is all a relying party needs to validate RS256 tokens.
/// </summary>
internal sealed class LocalOidcAuthority : IAsyncDisposable
{
    public const string KeyId = "test-key-1";

    private readonly WebApplication _app;
    private int _discoveryRequests;

    private LocalOidcAuthority(WebApplication app, RSA key)
    {
        _app = app;
        SigningKey = key;
    }

    /// <summary>Base address, which is also the issuer, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Issuer { get; private set; } = "";

    public RSA SigningKey { get; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public static async Task<LocalOidcAuthority> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var authority = new LocalOidcAuthority(app, RSA.Create(2048));
        app.MapGet("/.well-known/openid-configuration", authority.WriteDiscoveryAsync);
        app.MapGet("/jwks", authority.WriteJwksAsync);
        await app.StartAsync();
        authority.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return authority;
    }

    /// <summary>Signs an RS256 token; with <paramref name="key"/> it is signed by a key the authority does not publish.</summary>
    public string Sign(string audience, IDictionary<string, object> claims, RSA? key = null, string keyId = KeyId, string? issuer = null)
    {
        var handler = new JsonWebTokenHandler();
        var now = DateTime.UtcNow;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? SigningKey) { KeyId = keyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SigningKey.Dispose();
    }

    private Task WriteDiscoveryAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _discoveryRequests);
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync($$"""
            {
              "issuer": "{{Issuer}}",
              "jwks_uri": "{{Issuer}}/jwks",
              "authorization_endpoint": "{{Issuer}}/authorize",
              "token_endpoint": "{{Issuer}}/token",
              "response_types_supported": ["code"],
              "subject_types_supported": ["public"],
              "id_token_signing_alg_values_supported": ["RS256"]
            }
            """);
    }

    private Task WriteJwksAsync(HttpContext ctx)
    {
        var p = SigningKey.ExportParameters(includePrivateParameters: false);
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync($$"""
            {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{KeyId}}","n":"{{Base64UrlEncoder.Encode(p.Modulus)}}","e":"{{Base64UrlEncoder.Encode(p.Exponent)}}"}]}
            """);
    }
}

using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Auth;

/// <summary>
/// Validates bearer tokens (HS256 with <c>JWT_SECRET</c>, or an OIDC authority's JWKS) and
/// issues HS256 tokens for <c>quantumedge token issue</c>. Tokens must carry <c>sub</c>,
/// <c>role</c> and <c>department</c>, an expiry, and a valid issuer and audience.
/// </summary>
public sealed class JwtAuthenticator
{
    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumSecretBytes = 32;

    /// <summary>
    /// The longest lifetime of a token this node issues (366 days): a bearer token cannot be revoked
    /// before it expires, so a lifetime of years is a standing credential, not a test token.
    /// </summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(366);

    /// <summary>Distinct valid tokens remembered at once (a few hundred bytes each).</summary>
    internal const int ValidatedTokenCapacity = 8192;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly SymmetricSecurityKey? _signingKey;
    private readonly AuthSettings _settings;
    private readonly ValidatedTokenCache _validated;
    private readonly ITokenRevocation? _revocation;
    private readonly TimeProvider _time;

    /// <summary>A validator for <paramref name="settings"/>; <paramref name="revocation"/> (admin revoke-tokens) is consulted on every request, cached tokens included.</summary>
    public JwtAuthenticator(AuthSettings settings, HttpClient? metadataClient = null, TimeProvider? time = null, ITokenRevocation? revocation = null)
    {
        _settings = settings;
        _revocation = revocation;
        _time = time ?? TimeProvider.System;
        _validated = new ValidatedTokenCache(ValidatedTokenCapacity, TimeSpan.FromSeconds(settings.ClockSkewSeconds), time ?? TimeProvider.System);
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
        };

        if (settings.Mode == "oidc")
        {
            var metadata = settings.Authority!.TrimEnd('/') + "/.well-known/openid-configuration";
            var retriever = metadataClient is null
                ? new HttpDocumentRetriever { RequireHttps = settings.RequireHttpsMetadata }
                : new HttpDocumentRetriever(metadataClient) { RequireHttps = settings.RequireHttpsMetadata };
            _parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                metadata, new OpenIdConnectConfigurationRetriever(), retriever);
            _parameters.ValidAlgorithms = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"];
            return;
        }

        var secret = settings.JwtSecret
            ?? throw new ConfigurationException("JWT_SECRET", "is not set; auth.mode hs256 needs it to verify tokens");
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinimumSecretBytes)
        {
            throw new ConfigurationException("JWT_SECRET", $"must be at least {MinimumSecretBytes} bytes for HS256 (got {bytes.Length})");
        }

        _signingKey = new SymmetricSecurityKey(bytes);
        _parameters.IssuerSigningKey = _signingKey;
        _parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
    }

    /// <summary>Validates a request's <c>Authorization</c> headers: exactly one, holding a bearer token.</summary>
    public Task<CallerIdentity> AuthenticateAsync(Microsoft.Extensions.Primitives.StringValues authorizationHeaders) =>
        authorizationHeaders.Count > 1
            // Joined, two headers would read as one token with a comma in it and be called malformed.
            ? Task.FromException<CallerIdentity>(new TokenRejectedException(
                $"{authorizationHeaders.Count} Authorization headers were sent: send exactly one, 'Authorization: Bearer <token>'"))
            : AuthenticateAsync(authorizationHeaders.ToString());

    /// <summary>Validates the value of an <c>Authorization</c> header.</summary>
    public async Task<CallerIdentity> AuthenticateAsync(string? authorizationHeader)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            throw new TokenRejectedException("missing bearer token: send 'Authorization: Bearer <token>'");
        }

        const string prefix = "Bearer ";
        if (!authorizationHeader.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new TokenRejectedException("the Authorization header must use the Bearer scheme");
        }

        // A known token is found by its span: the header's text is not copied on the hot path.
        var tokenText = authorizationHeader.AsSpan(prefix.Length).Trim();
        if (tokenText.Length is 0 or > 16 * 1024)
        {
            throw new TokenRejectedException("malformed bearer token");
        }

        if (_validated.TryGet(tokenText, out var known))
        {
            return NotRevoked(known);
        }

        var token = tokenText.ToString();
        if (TokenSyntax.Problem(token) is { } syntaxProblem)
        {
            throw new TokenRejectedException("malformed bearer token: " + syntaxProblem);
        }

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            throw Malformed(token, e);
        }

        if (!result.IsValid)
        {
            throw result.Exception is SecurityTokenMalformedException or ArgumentException
                ? Malformed(token, result.Exception)
                : new TokenRejectedException(Describe(result.Exception), result.Exception);
        }

        if (result.SecurityToken is not JsonWebToken jwt)
        {
            throw new TokenRejectedException("malformed bearer token");
        }

        if (jwt.IssuedAt != DateTime.MinValue && jwt.IssuedAt > _time.GetUtcNow().UtcDateTime + _parameters.ClockSkew)
        {
            // Revocation compares iat with a stamp: a token dated in the future would outlive every revocation of its user.
            throw new TokenRejectedException("the token's iat (issued at) lies in the future beyond auth.clock_skew_seconds; its issuer's clock is wrong");
        }

        var (sub, role, department) = IdentityClaims.Read(jwt.EncodedPayload);
        var caller = new CallerIdentity(sub, role, department, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero))
        {
            IssuedAt = jwt.IssuedAt == DateTime.MinValue ? null : new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero),
        };
        _validated.Add(token, caller);
        return NotRevoked(caller);
    }

    private CallerIdentity NotRevoked(CallerIdentity caller) =>
        _revocation?.RevokedReason(caller) is { } reason ? throw new TokenRejectedException(reason) { Code = "token_revoked" } : caller;

    /// <summary>Signs an HS256 token for the given identity.</summary>
    public string Issue(string subject, string role, string department, TimeSpan ttl, DateTimeOffset? now = null)
    {
        if (_signingKey is null)
        {
            throw new InvalidOperationException("tokens can only be issued in auth.mode hs256");
        }

        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _settings.Issuer,
            Audience = _settings.Audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + ttl,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["role"] = role,
                ["department"] = department,
            },
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// The library refuses some identity claims of the wrong shape (a list as <c>sub</c>) as merely
    /// malformed; reading the payload ourselves names the claim. The token stays refused either way.
    /// </summary>
    private static TokenRejectedException Malformed(string token, Exception? e)
    {
        var parts = token.Split('.');
        if (parts.Length == 3 && !IdentityClaims.TryRead(parts[1], out _, out var claimProblem) && claimProblem is not null)
        {
            return new TokenRejectedException($"malformed bearer token: {claimProblem}", e ?? new SecurityTokenMalformedException(claimProblem));
        }

        return e is null ? new TokenRejectedException("malformed bearer token") : new TokenRejectedException("malformed bearer token", e);
    }

    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "token has expired",
        SecurityTokenNotYetValidException => "token is not yet valid",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "token signature is invalid",
        SecurityTokenInvalidIssuerException => "token issuer is not accepted",
        SecurityTokenInvalidAudienceException => "token audience is not accepted",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidAlgorithmException => "token algorithm is not accepted",
        SecurityTokenMalformedException or ArgumentException => "malformed bearer token",
        _ => "invalid bearer token",
    };
}

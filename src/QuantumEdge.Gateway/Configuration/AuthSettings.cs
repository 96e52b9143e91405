using QuantumEdge.Gateway.Auth;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The <c>auth</c> block. <c>hs256</c> validates tokens signed with <c>JWT_SECRET</c>;
/// <c>oidc</c> validates tokens from an OpenID Connect authority using its published JWKS.
/// </summary>
public sealed record AuthSettings
{
    public string Mode { get; init; } = "hs256";
    public string Issuer { get; init; } = "quantumedge";
    public string Audience { get; init; } = "quantumedge";
    public string? Authority { get; init; }
    public bool RequireHttpsMetadata { get; init; } = true;
    public int ClockSkewSeconds { get; init; } = 30;
    public TimeSpan DefaultTokenTtl { get; init; } = TimeSpan.FromHours(8);
    /// <summary>From the <c>JWT_SECRET</c> environment variable only; never read from the file.</summary>
    public string? JwtSecret { get; init; }

    internal static AuthSettings Read(YamlSection s)
    {
        var d = new AuthSettings();
        var result = new AuthSettings
        {
            Mode = s.Choice("mode", d.Mode, "hs256", "oidc"),
            Issuer = NodeSettings.NonEmpty(s, "issuer", d.Issuer),
            Audience = NodeSettings.NonEmpty(s, "audience", d.Audience),
            Authority = s.OptionalString("authority"),
            RequireHttpsMetadata = s.Bool("require_https_metadata", d.RequireHttpsMetadata),
            ClockSkewSeconds = s.Int("clock_skew_seconds", d.ClockSkewSeconds, 0, 600),
            DefaultTokenTtl = Durations.Parse(s.KeyPath("default_token_ttl"), s.String("default_token_ttl", "8h"), JwtAuthenticator.LongestLifetime),
        };
        s.RejectUnknownKeys();
        if (result.Mode == "oidc" && string.IsNullOrWhiteSpace(result.Authority))
        {
            throw new ConfigurationException(s.KeyPath("authority"), "is required when auth.mode is oidc");
        }

        if (result.Authority is { } a && !Uri.TryCreate(a, UriKind.Absolute, out _))
        {
            throw new ConfigurationException(s.KeyPath("authority"), $"'{a}' is not an absolute URL");
        }

        return result;
    }
}

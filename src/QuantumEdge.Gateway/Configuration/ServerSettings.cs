using YamlDotNet.RepresentationModel;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>The <c>server</c> block: listeners, limits and the routing loop's timings.</summary>
public sealed record ServerSettings
{
    /// <summary>The API listeners, <c>;</c>-separated (YAML may give a list or one such string).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";
    public string MetricsUrl { get; init; } = "http://127.0.0.1:9090";
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>Minimum thread-pool worker threads (<c>WORKERS</c>); 0 leaves the runtime default.</summary>
    public int Workers { get; init; }
    /// <summary>How long a request may wait for a free backend slot before a 503.</summary>
    public int QueueTimeoutMs { get; init; } = 5000;
    /// <summary>Attempts per request across permitted backends (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 3;
    public int HealthProbeIntervalSeconds { get; init; } = 5;
    /// <summary>How long a backend stays out of rotation once its circuit opens.</summary>
    public int CircuitBreakSeconds { get; init; } = 10;
    /// <summary>The certificate for https URLs in <see cref="Urls"/> (and <see cref="MetricsUrl"/> unless <see cref="MetricsTls"/> is set).</summary>
    public TlsSettings? Tls { get; init; }
    /// <summary>A separate certificate for an https metrics listener.</summary>
    public TlsSettings? MetricsTls { get; init; }
    /// <summary>PEM certificate authorities; when set, the metrics listener requires a client certificate issued by one.</summary>
    public string? MetricsClientCaFile { get; init; }

    /// <summary>The certificate the metrics listener serves, if it is https.</summary>
    public TlsSettings? EffectiveMetricsTls => IsHttps(MetricsUrl) ? MetricsTls ?? Tls : null;

    internal static ServerSettings Read(YamlSection s)
    {
        var d = new ServerSettings();
        var result = new ServerSettings
        {
            Urls = HttpUrls(s, "urls", d.Urls),
            MetricsUrl = HttpUrl(s, "metrics_url", d.MetricsUrl),
            MaxRequestBodyBytes = s.Int("max_request_body_bytes", (int)d.MaxRequestBodyBytes, 1024, 256 * 1024 * 1024),
            Workers = s.Int("workers", d.Workers, 0, 4096),
            QueueTimeoutMs = s.Int("queue_timeout_ms", d.QueueTimeoutMs, 0, 600_000),
            MaxAttempts = s.Int("max_attempts", d.MaxAttempts, 1, 10),
            HealthProbeIntervalSeconds = s.Int("health_probe_interval_seconds", d.HealthProbeIntervalSeconds, 1, 3600),
            CircuitBreakSeconds = s.Int("circuit_break_seconds", d.CircuitBreakSeconds, 1, 3600),
            Tls = TlsSettings.Read(s.Section("tls")),
            MetricsTls = TlsSettings.Read(s.Section("metrics_tls")),
            MetricsClientCaFile = s.OptionalString("metrics_client_ca_file"),
        };
        s.RejectUnknownKeys();
        CheckDistinctListeners(s, result);
        CheckTls(s, result);
        return result;
    }

    /// <summary>Whether any of the <c>;</c>-separated URLs is https.</summary>
    public static bool IsHttps(string urls)
    {
        foreach (var part in Parts(urls))
        {
            if (part.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every https listener has a certificate and every TLS key is used by a listener. The files
    /// themselves are loaded by <see cref="ServerCertificate.CheckFiles"/> (check-config and serve),
    /// not here, so that verbs that never listen do not need to read the private key.
    /// </summary>
    private static void CheckTls(YamlSection s, ServerSettings r)
    {
        var apiHttps = IsHttps(r.Urls);
        var metricsHttps = IsHttps(r.MetricsUrl);
        if (apiHttps && r.Tls is null)
        {
            throw new ConfigurationException(s.KeyPath("tls.certificate_file"), "is required: server.urls has an https URL (set server.tls.certificate_file and key_file)");
        }

        if (metricsHttps && r.MetricsTls is null && r.Tls is null)
        {
            throw new ConfigurationException(s.KeyPath("tls.certificate_file"), "is required: server.metrics_url is https (set server.tls or server.metrics_tls)");
        }

        if (r.Tls is not null && !apiHttps && !(metricsHttps && r.MetricsTls is null))
        {
            throw new ConfigurationException(s.KeyPath("tls"), "is set, but no listener uses it: make server.urls (or server.metrics_url) https");
        }

        if (r.MetricsTls is not null && !metricsHttps)
        {
            throw new ConfigurationException(s.KeyPath("metrics_tls"), "is set, but server.metrics_url is not https");
        }

        if (r.MetricsClientCaFile is { } ca)
        {
            if (!metricsHttps)
            {
                throw new ConfigurationException(s.KeyPath("metrics_client_ca_file"), "needs an https server.metrics_url: client certificates are a TLS feature");
            }

        }
    }

    /// <summary>A list of URLs, or one string of <c>;</c>-separated URLs; either way the result is the <c>;</c> form.</summary>
    internal static string HttpUrls(YamlSection s, string key, string fallback)
    {
        if (s.Raw(key) is not YamlSequenceNode)
        {
            return string.Join(';', HttpUrl(s, key, fallback).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var list = s.StringList(key, []);
        if (list.Count == 0)
        {
            throw new ConfigurationException(s.KeyPath(key), "the list names no URL");
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Contains(';', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(list[i]))
            {
                throw new ConfigurationException($"{s.KeyPath(key)}[{i}]", $"'{list[i]}' must be one URL (a list item holds no ';')");
            }
        }

        var joined = string.Join(';', list.Select(u => u.Trim()));
        CheckUrls(s, key, joined);
        return joined;
    }

    internal static string HttpUrl(YamlSection s, string key, string fallback)
    {
        var v = s.String(key, fallback);
        CheckUrls(s, key, v);
        return v;
    }

    /// <summary>Two listeners on one fixed address cannot both bind: refused here, not by a bind error at start-up (port 0 picks a free port each time).</summary>
    private static void CheckDistinctListeners(YamlSection s, ServerSettings settings)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, part) in Parts(settings.Urls).Select(p => ("urls", p)).Concat(Parts(settings.MetricsUrl).Select(p => ("metrics_url", p))))
        {
            var uri = new Uri(WildcardAsAddress(part), UriKind.Absolute);
            if (uri.Port != 0 && !seen.Add($"{uri.Host}:{uri.Port}"))
            {
                throw new ConfigurationException(s.KeyPath(key), $"'{part}' listens on an address another server URL already has: each listener needs its own host and port");
            }
        }
    }

    private static string[] Parts(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Kestrel's wildcard hosts (* and +) are not URI hosts: parsed as the any-address instead.
    private static string WildcardAsAddress(string part) =>
        part.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal);

    private static void CheckUrls(YamlSection s, string key, string v)
    {
        if (string.IsNullOrWhiteSpace(v.Replace(";", "", StringComparison.Ordinal)))
        {
            throw new ConfigurationException(s.KeyPath(key), "names no URL");
        }

        foreach (var part in Parts(v))
        {
            if (!Uri.TryCreate(WildcardAsAddress(part), UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ConfigurationException(s.KeyPath(key), $"'{part}' is not an http(s) URL");
            }

            if (uri.UserInfo.Length > 0)
            {
                // Not quoted: the user information may be a password.
                throw new ConfigurationException(s.KeyPath(key), "holds a user name or password: a listen URL is scheme, host and port only");
            }

            if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                throw new ConfigurationException(s.KeyPath(key), $"'{part}' has a path, query or fragment: a listen URL is scheme, host and port only");
            }
        }
    }
}

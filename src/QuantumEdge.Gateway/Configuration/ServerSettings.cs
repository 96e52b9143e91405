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
        };
        s.RejectUnknownKeys();
        return result;
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

    private static void CheckUrls(YamlSection s, string key, string v)
    {
        if (string.IsNullOrWhiteSpace(v.Replace(";", "", StringComparison.Ordinal)))
        {
            throw new ConfigurationException(s.KeyPath(key), "names no URL");
        }

        foreach (var part in v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ConfigurationException(s.KeyPath(key), $"'{part}' is not an http(s) URL");
            }
        }
    }
}

using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>One OpenAI-compatible LLM server the node may route to.</summary>
public sealed record BackendSettings
{
    public required string Id { get; init; }
    /// <summary>Base URL ending in <c>/v1</c>.</summary>
    public required Uri Url { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public int MaxConcurrency { get; init; } = 16;
    public required IReadOnlyList<DataClassification> AllowedClassifications { get; init; }
    /// <summary>vLLM-style Prometheus endpoint whose queue and KV-cache gauges feed the load estimate.</summary>
    public Uri? MetricsUrl { get; init; }
    /// <summary>Name of the environment variable that holds this backend's API key.</summary>
    public string? ApiKeyEnv { get; init; }
    public double TimeoutSeconds { get; init; } = 60;
    /// <summary>
    /// Longest a backend may take over one answer once its headers came, however steadily it sends: an answer
    /// still running then is cut off as incomplete (a backend that streams or trickles for ever holds a slot for ever).
    /// </summary>
    public double MaxAnswerSeconds { get; init; } = DefaultMaxAnswerSeconds;
    /// <summary>The default of <see cref="MaxAnswerSeconds"/>: 10 minutes, or <see cref="TimeoutSeconds"/> when that is longer.</summary>
    public const double DefaultMaxAnswerSeconds = 600;

    /// <summary>Set only for a peer's lent capacity (never from YAML): the lending peer's node id.</summary>
    public string? LendingPeer { get; init; }

    internal static BackendSettings Read(YamlSection s)
    {
        // Read every key before judging any, so that a misspelt key ("modles") is reported as
        // unknown rather than as the required key it was meant to be.
        var idText = s.OptionalString("id");
        var urlText = s.OptionalString("url");
        var models = s.StringList("models", []);
        var names = s.StringList("allowed_classifications", ["internal", "public"]);
        var metricsText = s.OptionalString("metrics_url");
        var maxConcurrency = s.Int("max_concurrency", 16, 1, 100_000);
        var apiKeyEnv = s.OptionalVariableName("api_key_env", "the API key");
        var timeoutSeconds = s.Double("timeout_seconds", 60, 0.1, 3600);
        // Unset, it is never below timeout_seconds: a config valid before the key existed stays valid.
        var maxAnswerSeconds = s.Double("max_answer_seconds", Math.Max(DefaultMaxAnswerSeconds, timeoutSeconds), 1, 86_400);
        s.RejectUnknownKeys();

        if (string.IsNullOrWhiteSpace(idText))
        {
            throw new ConfigurationException(s.KeyPath("id"), "must not be empty");
        }

        if (urlText is null)
        {
            throw new ConfigurationException(s.KeyPath("url"), "is required");
        }

        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ConfigurationException(s.KeyPath("url"), $"'{urlText}' is not an http(s) URL");
        }

        if (url.UserInfo.Length > 0)
        {
            // Not quoted: it is a password, which check-config would print and every backup would keep.
            throw new ConfigurationException(s.KeyPath("url"), "holds a user name or password: put the backend's credential in an environment variable named by api_key_env");
        }

        if (!url.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal))
        {
            throw new ConfigurationException(s.KeyPath("url"), $"'{urlText}' must be an OpenAI-compatible base URL ending in /v1");
        }

        if (maxAnswerSeconds < timeoutSeconds)
        {
            throw new ConfigurationException(s.KeyPath("max_answer_seconds"),
                $"{maxAnswerSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} is shorter than timeout_seconds ({timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}): an answer may take at least as long as a silence is allowed to last");
        }

        if (models.Count == 0)
        {
            throw new ConfigurationException(s.KeyPath("models"), "must list at least one model");
        }

        var classes = new List<DataClassification>();
        for (var i = 0; i < names.Count; i++)
        {
            classes.Add(DataClassifications.TryParseLevel(names[i], out var c)
                ? c
                : throw new ConfigurationException($"{s.KeyPath("allowed_classifications")}[{i}]", $"'{names[i]}' is not one of restricted, confidential, internal, public"));
        }

        Uri? metrics = null;
        if (metricsText is { } m && !Uri.TryCreate(m, UriKind.Absolute, out metrics))
        {
            throw new ConfigurationException(s.KeyPath("metrics_url"), $"'{m}' is not an absolute URL");
        }

        if (metrics is { UserInfo.Length: > 0 })
        {
            throw new ConfigurationException(s.KeyPath("metrics_url"), "holds a user name or password: put the backend's credential in an environment variable named by api_key_env");
        }

        return new BackendSettings
        {
            Id = idText,
            Url = new Uri(url.ToString().TrimEnd('/') + "/"),
            Models = models,
            MaxConcurrency = maxConcurrency,
            AllowedClassifications = classes,
            MetricsUrl = metrics,
            ApiKeyEnv = apiKeyEnv,
            TimeoutSeconds = timeoutSeconds,
            MaxAnswerSeconds = maxAnswerSeconds,
        };
    }
}

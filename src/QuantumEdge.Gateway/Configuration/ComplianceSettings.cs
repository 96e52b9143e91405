using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>The deployment guide's <c>compliance</c> block.</summary>
public sealed record ComplianceSettings
{
    public bool EnableHipaaLogging { get; init; } = true;
    public bool EnableGdprCompliance { get; init; } = true;
    public int DataRetentionDays { get; init; } = 2555;
    public int AuditRetentionDays { get; init; } = 3650;
    /// <summary>Webhook the compliance team is told at (lockdown, halt, audit verification failure, …); null: no notifications.</summary>
    public Uri? NotifyUrl { get; init; }
    /// <summary>Environment variable holding the HMAC-SHA256 key each notification is signed with (required with <see cref="NotifyUrl"/>).</summary>
    public string? NotifySecretEnv { get; init; }
    /// <summary>Data class (the header's vocabulary) → level.</summary>
    public IReadOnlyDictionary<string, DataClassification> DataClassification { get; init; } = DefaultClasses;

    /// <summary>Six years: the least <see cref="AuditRetentionDays"/> accepted while <see cref="EnableHipaaLogging"/> is on.</summary>
    public const int HipaaMinimumAuditRetentionDays = 2190;

    internal static readonly IReadOnlyDictionary<string, DataClassification> DefaultClasses =
        new Dictionary<string, DataClassification>(StringComparer.OrdinalIgnoreCase)
        {
            ["phi"] = Classification.DataClassification.Restricted,
            ["clinical_notes"] = Classification.DataClassification.Confidential,
            ["research_data"] = Classification.DataClassification.Internal,
            ["system_logs"] = Classification.DataClassification.Internal,
            ["public"] = Classification.DataClassification.Public,
        };

    private static Uri? NotifyUrlOf(YamlSection s)
    {
        var text = s.OptionalString("notify_url");
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && string.IsNullOrEmpty(url.UserInfo)
            ? url
            : throw new ConfigurationException(s.KeyPath("notify_url"), "must be an absolute http(s) URL without credentials");
    }

    internal static ComplianceSettings Read(YamlSection s)
    {
        var d = new ComplianceSettings();
        var classes = new Dictionary<string, DataClassification>(DefaultClasses, StringComparer.OrdinalIgnoreCase);
        var section = s.Section("data_classification");
        foreach (var key in section.Keys())
        {
            var level = section.String(key, "");
            classes[key] = DataClassifications.TryParseLevel(level, out var c)
                ? c
                : throw new ConfigurationException(section.KeyPath(key), $"'{level}' is not one of restricted, confidential, internal, public");
        }

        var result = new ComplianceSettings
        {
            EnableHipaaLogging = s.Bool("enable_hipaa_logging", d.EnableHipaaLogging),
            EnableGdprCompliance = s.Bool("enable_gdpr_compliance", d.EnableGdprCompliance),
            DataRetentionDays = s.Int("data_retention_days", d.DataRetentionDays, 1, 100_000),
            AuditRetentionDays = s.Int("audit_retention_days", d.AuditRetentionDays, 1, 100_000),
            DataClassification = classes,
            NotifyUrl = NotifyUrlOf(s),
            NotifySecretEnv = s.OptionalVariableName("notify_secret_env", "the signing key"),
        };
        s.RejectUnknownKeys();
        if (result.EnableHipaaLogging && result.AuditRetentionDays < HipaaMinimumAuditRetentionDays)
        {
            // HIPAA (45 CFR 164.316(b)(2)) keeps required documentation six years: a pruner must not delete the trail sooner.
            throw new ConfigurationException(s.KeyPath("audit_retention_days"),
                $"{result.AuditRetentionDays} is below the {HipaaMinimumAuditRetentionDays} days (6 years) HIPAA requires while enable_hipaa_logging is true");
        }

        if (result.NotifyUrl is not null && string.IsNullOrWhiteSpace(result.NotifySecretEnv))
        {
            throw new ConfigurationException(s.KeyPath("notify_secret_env"), "is required with notify_url: every notification is signed (HMAC-SHA256) with the key in that variable");
        }

        return result;
    }
}

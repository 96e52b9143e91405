using System.Globalization;
using System.Text;
using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Configuration;

/// <summary>Renders the effective configuration as YAML for <c>check-config</c>, with secrets masked.</summary>
public static class ConfigurationPrinter
{
    public static string Print(NodeConfiguration c)
    {
        var sb = new StringBuilder();
        sb.Append("# effective configuration from ").Append(c.Source).Append('\n');
        sb.Append("node:\n");
        Kv(sb, 1, "id", c.Node.Id);
        Kv(sb, 1, "name", c.Node.Name);
        Kv(sb, 1, "data_dir", c.Node.DataDir);
        sb.Append("server:\n");
        List(sb, 1, "urls", c.Server.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Kv(sb, 1, "metrics_url", c.Server.MetricsUrl);
        Kv(sb, 1, "max_request_body_bytes", c.Server.MaxRequestBodyBytes);
        Kv(sb, 1, "workers", c.Server.Workers);
        Kv(sb, 1, "queue_timeout_ms", c.Server.QueueTimeoutMs);
        Kv(sb, 1, "max_attempts", c.Server.MaxAttempts);
        Kv(sb, 1, "health_probe_interval_seconds", c.Server.HealthProbeIntervalSeconds);
        Kv(sb, 1, "circuit_break_seconds", c.Server.CircuitBreakSeconds);
        Tls(sb, "tls", c.Server.Tls);
        Tls(sb, "metrics_tls", c.Server.MetricsTls);
        if (c.Server.MetricsClientCaFile is { } ca)
        {
            Kv(sb, 1, "metrics_client_ca_file", ca);
        }

        sb.Append("auth:\n");
        Kv(sb, 1, "mode", c.Auth.Mode);
        Kv(sb, 1, "issuer", c.Auth.Issuer);
        Kv(sb, 1, "audience", c.Auth.Audience);
        if (c.Auth.Authority is { } authority)
        {
            Kv(sb, 1, "authority", authority);
        }

        Kv(sb, 1, "require_https_metadata", c.Auth.RequireHttpsMetadata);
        Kv(sb, 1, "clock_skew_seconds", c.Auth.ClockSkewSeconds);
        Kv(sb, 1, "default_token_ttl", $"{c.Auth.DefaultTokenTtl.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m");
        sb.Append("  # JWT_SECRET: ").Append(Mask(c.Auth.JwtSecret)).Append('\n');
        sb.Append("backends:").Append(c.Backends.Count == 0 ? " []\n" : "\n");
        foreach (var b in c.Backends)
        {
            sb.Append("  - id: ").Append(Scalar(b.Id)).Append('\n');
            Kv(sb, 2, "url", b.Url.ToString().TrimEnd('/'));
            List(sb, 2, "models", b.Models);
            Kv(sb, 2, "max_concurrency", b.MaxConcurrency);
            List(sb, 2, "allowed_classifications", b.AllowedClassifications.Select(x => x.Name()).ToList());
            if (b.MetricsUrl is { } m)
            {
                Kv(sb, 2, "metrics_url", m.ToString());
            }

            if (b.ApiKeyEnv is { } env)
            {
                Kv(sb, 2, "api_key_env", env);
                sb.Append("    # ").Append(env).Append(": ").Append(Mask(Environment.GetEnvironmentVariable(env))).Append('\n');
            }

            Kv(sb, 2, "timeout_seconds", b.TimeoutSeconds);
            Kv(sb, 2, "max_answer_seconds", b.MaxAnswerSeconds);
        }

        sb.Append("logging:\n");
        Kv(sb, 1, "level", c.Logging.Level);
        Kv(sb, 1, "format", c.Logging.Format);
        if (c.Logging.File is { } logFile)
        {
            Kv(sb, 1, "file", logFile);
            Kv(sb, 1, "max_file_mb", c.Logging.MaxFileMb);
            Kv(sb, 1, "max_files", c.Logging.MaxFiles);
        }
        sb.Append("privacy:\n");
        Kv(sb, 1, "epsilon_per_query", c.Privacy.EpsilonPerQuery);
        Kv(sb, 1, "delta", c.Privacy.Delta);
        Kv(sb, 1, "max_budget_per_user", c.Privacy.MaxBudgetPerUser);
        Kv(sb, 1, "composition_method", c.Privacy.CompositionMethod);
        Kv(sb, 1, "budget_time_zone", c.Privacy.BudgetTimeZone);
        sb.Append("  department_budgets:").Append(c.Privacy.DepartmentBudgets.Count == 0 ? " {}\n" : "\n");
        foreach (var (k, v) in c.Privacy.DepartmentBudgets)
        {
            Kv(sb, 2, k, v);
        }

        sb.Append("security:\n");
        Kv(sb, 1, "enable_encryption", c.Security.EnableEncryption);
        Kv(sb, 1, "enable_audit_trail", c.Security.EnableAuditTrail);
        Kv(sb, 1, "security_level", c.Security.SecurityLevel);
        Kv(sb, 1, "enable_quantum_signatures", c.Security.EnableQuantumSignatures);
        Kv(sb, 1, "security_lockdown", c.Security.SecurityLockdown);
        sb.Append("  role_permissions:\n");
        foreach (var (role, perms) in c.Security.RolePermissions)
        {
            List(sb, 2, role, perms);
        }

        var phi = c.Security.PhiDetection;
        sb.Append("  phi_detection:\n");
        Kv(sb, 2, "enabled", phi.Enabled);
        Kv(sb, 2, "action", phi.Action.ToString().ToLowerInvariant());
        Kv(sb, 2, "min_confidence", phi.MinConfidence);
        sb.Append("    extra_patterns:").Append(phi.ExtraPatterns.Count == 0 ? " []\n" : "\n");
        foreach (var p in phi.ExtraPatterns)
        {
            sb.Append("      - name: ").Append(Scalar(p.Name)).Append('\n');
            Kv(sb, 4, "regex", p.Regex.ToString());
            List(sb, 4, "context", p.Context);
        }

        List(sb, 2, "allow_terms", phi.AllowTerms);

        var q = c.QuantumPlanning;
        sb.Append("quantum_planning:\n");
        Kv(sb, 1, "enable_superposition", q.EnableSuperposition);
        Kv(sb, 1, "enable_entanglement", q.EnableEntanglement);
        Kv(sb, 1, "enable_interference", q.EnableInterference);
        Kv(sb, 1, "coherence_threshold", q.CoherenceThreshold);
        Kv(sb, 1, "max_entangled_tasks", q.MaxEntangledTasks);
        Kv(sb, 1, "optimization_strategy", q.OptimizationStrategy);
        Kv(sb, 1, "decoherence_mitigation", q.DecoherenceMitigation);
        Kv(sb, 1, "bell_inequality_threshold", q.BellInequalityThreshold);
        Kv(sb, 1, "interference_resolution", q.InterferenceResolution);
        Kv(sb, 1, "router", q.Router);
        Kv(sb, 1, "batch_window_us", q.BatchWindowMicroseconds);
        Kv(sb, 1, "max_batch_size", q.MaxBatchSize);
        Kv(sb, 1, "solve_budget_ms", q.SolveBudgetMs);
        Kv(sb, 1, "strict_decoherence_fallback", q.StrictDecoherenceFallback);
        sb.Append("  gpu:\n");
        Kv(sb, 2, "socket_path", q.Gpu.SocketPath ?? "");
        Kv(sb, 2, "min_variables", q.Gpu.MinVariables);
        sb.Append("performance:\n");
        Kv(sb, 1, "enable_auto_scaling", c.Performance.EnableAutoScaling);
        sb.Append("  scaling_policies:").Append(c.Performance.ScalingPolicies.Count == 0 ? " []\n" : "\n");
        foreach (var p in c.Performance.ScalingPolicies)
        {
            sb.Append("    - trigger: ").Append(Scalar(p.Trigger)).Append('\n');
            Kv(sb, 3, "scale_up_threshold", p.ScaleUpThreshold);
            Kv(sb, 3, "scale_down_threshold", p.ScaleDownThreshold);
            Kv(sb, 3, "min_instances", p.MinInstances);
            Kv(sb, 3, "max_instances", p.MaxInstances);
        }

        var r = c.Resources;
        sb.Append("resources:\n");
        Kv(sb, 1, "memory_limit", r.MemoryLimit);
        Kv(sb, 1, "cpu_limit", r.CpuLimit);
        Kv(sb, 1, "gpu_limit", r.GpuLimit);
        Kv(sb, 1, "max_superpositions", r.MaxSuperpositions);
        Kv(sb, 1, "max_entanglements", r.MaxEntanglements);
        Kv(sb, 1, "coherence_pool_size", r.CoherencePoolSize);
        var co = c.Compliance;
        sb.Append("compliance:\n");
        Kv(sb, 1, "enable_hipaa_logging", co.EnableHipaaLogging);
        Kv(sb, 1, "enable_gdpr_compliance", co.EnableGdprCompliance);
        Kv(sb, 1, "data_retention_days", co.DataRetentionDays);
        Kv(sb, 1, "audit_retention_days", co.AuditRetentionDays);
        if (co.NotifyUrl is { } notify)
        {
            // The URL's path or query may carry a token: only where notifications go, never the rest.
            Kv(sb, 1, "notify_url", notify.GetLeftPart(UriPartial.Authority) + "/…");
            Kv(sb, 1, "notify_secret_env", co.NotifySecretEnv ?? "");
        }
        sb.Append("  data_classification:\n");
        foreach (var (k, v) in co.DataClassification)
        {
            Kv(sb, 2, k, v.Name());
        }

        sb.Append("storage:\n");
        Kv(sb, 1, "backend", c.Storage.Backend);
        if (c.Storage.IsPostgreSql)
        {
            var pg = c.Storage.PostgreSql;
            sb.Append("  postgresql:\n");
            Kv(sb, 2, "connection_string_env", pg.ConnectionStringEnv ?? "");
            sb.Append("    # ").Append(pg.ConnectionStringEnv).Append(": ").Append(Mask(c.LedgerConnectionString)).Append('\n');
            Kv(sb, 2, "replica_id", pg.ResolveReplicaId());
            Kv(sb, 2, "serve_free_requests_while_unavailable", pg.ServeFreeRequestsWhileUnavailable);
        }

        Kv(sb, 1, "ledger_dir", c.Storage.ResolveLedgerDir(c.Node));
        if (c.Storage.NodeKeyDir is { } keyDir)
        {
            Kv(sb, 1, "node_key_dir", keyDir);
        }
        else
        {
            sb.Append("  # node_key_dir unset: the node key is generated under ledger_dir/keys on first start\n");
        }

        Kv(sb, 1, "group_commit_max_batch", c.Storage.GroupCommitMaxBatch);
        Kv(sb, 1, "audit_commit_linger_ms", c.Storage.AuditCommitLingerMs);
        Kv(sb, 1, "kdf_memory_kib", c.Storage.KdfMemoryKib);
        Kv(sb, 1, "kdf_passes", c.Storage.KdfPasses);
        Kv(sb, 1, "retention_interval_hours", c.Storage.RetentionIntervalHours);
        Federation(sb, c.Federation);
        sb.Append("# MASTER_KEY: ").Append(Mask(c.MasterKey)).Append('\n');
        return sb.ToString();
    }

    private static void Federation(StringBuilder sb, FederationSettings f)
    {
        sb.Append("federation:\n");
        Kv(sb, 1, "enabled", f.Enabled);
        Kv(sb, 1, "federation_id", f.FederationId);
        Kv(sb, 1, "listen_url", f.ListenUrl);
        sb.Append("  peers:").Append(f.Peers.Count == 0 ? " []\n" : "\n");
        foreach (var p in f.Peers)
        {
            sb.Append("    - id: ").Append(Scalar(p.Id)).Append('\n');
            if (p.Url is { } url)
            {
                Kv(sb, 3, "url", url.ToString());
            }

            Kv(sb, 3, "public_key", p.PublicKey);
        }

        Kv(sb, 1, "release_interval_seconds", f.ReleaseIntervalSeconds);
        Kv(sb, 1, "epsilon_per_release", f.EpsilonPerRelease);
        Kv(sb, 1, "max_epsilon_per_day", f.MaxEpsilonPerDay);
        List(sb, 1, "models", f.Models);
        List(sb, 1, "categories", f.Categories);
        sb.Append("  lending:\n");
        Kv(sb, 2, "offer", f.Lending.Offer);
        Kv(sb, 2, "borrow", f.Lending.Borrow);
        Kv(sb, 2, "max_concurrency_per_peer", f.Lending.MaxConcurrencyPerPeer);
    }

    private static void Tls(StringBuilder sb, string key, TlsSettings? tls)
    {
        if (tls is null)
        {
            return;
        }

        sb.Append("  ").Append(key).Append(":\n");
        Kv(sb, 2, "certificate_file", tls.CertificateFile);
        Kv(sb, 2, "key_file", tls.KeyFile);
        Kv(sb, 2, "reload_check_seconds", tls.ReloadCheckSeconds);
    }

    private static string Mask(string? secret) => secret is null ? "(not set)" : "****** (set)";

    private static void Kv(StringBuilder sb, int indent, string key, object value)
    {
        // Keys are data too (department and role names), so they are quoted like values.
        sb.Append(' ', indent * 2).Append(Scalar(key)).Append(": ");
        sb.Append(value switch
        {
            bool b => b ? "true" : "false",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            int i => i.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            _ => Scalar(value.ToString() ?? ""),
        });
        sb.Append('\n');
    }

    private static void List(StringBuilder sb, int indent, string key, IReadOnlyList<string> values)
    {
        sb.Append(' ', indent * 2).Append(Scalar(key)).Append(": [").Append(string.Join(", ", values.Select(Scalar))).Append("]\n");
    }

    /// <summary>Quotes a string whenever YAML would read it as anything but that same plain string.</summary>
    private static string Scalar(string s) =>
        NeedsQuotes(s) ? "\"" + Escape(s) + "\"" : s;

    private static bool NeedsQuotes(string s) =>
        s.Length == 0
        || s != s.Trim()
        || s.IndexOfAny([':', '#', '[', ']', '{', '}', ',', '"', '\'', '&', '*', '!', '|', '>', '%', '@', '`']) >= 0
        || s[0] is '-' or '?'
        || s is "~" || s.Equals("null", StringComparison.OrdinalIgnoreCase)
        || s.Any(char.IsControl);

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            _ = c switch
            {
                '\\' => sb.Append("\\\\"),
                '"' => sb.Append("\\\""),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(c) => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }
}

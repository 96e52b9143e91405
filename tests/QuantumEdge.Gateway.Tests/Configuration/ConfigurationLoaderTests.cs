using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

public sealed class ConfigurationLoaderTests
{
    private const string OneBackend = """
        backends:
          - id: gpu-a
            url: http://10.0.0.5:8000/v1
            models: [clinical-7b]
        """;

    private static NodeConfiguration Parse(string yaml, Func<string, string?>? environment = null) =>
        ConfigurationLoader.Parse(yaml, "test.yaml", environment ?? TestEnvironment.Empty);

    private static ConfigurationException Fails(string yaml, Func<string, string?>? environment = null) =>
        Assert.Throws<ConfigurationException>(() => Parse(yaml, environment));

    [Fact]
    public void A_file_holding_only_backends_gets_every_other_value_from_the_defaults()
    {
        var c = Parse(OneBackend);

        Assert.Equal("test.yaml", c.Source);
        var b = Assert.Single(c.Backends);
        Assert.Equal("gpu-a", b.Id);
        Assert.Equal(new Uri("http://10.0.0.5:8000/v1/"), b.Url);
        Assert.Equal(["clinical-7b"], b.Models);
        Assert.Equal(16, b.MaxConcurrency);
        Assert.Equal([DataClassification.Internal, DataClassification.Public], b.AllowedClassifications);
        Assert.Null(b.MetricsUrl);
        Assert.Null(b.ApiKeyEnv);
        Assert.Equal(60, b.TimeoutSeconds);

        Assert.Equal(new NodeSettings(), c.Node);
        Assert.Equal(new ServerSettings(), c.Server);
        Assert.Equal(new AuthSettings(), c.Auth);
        Assert.Equal(new LoggingSettings(), c.Logging);
        Assert.Equal(new QuantumPlanningSettings(), c.QuantumPlanning);
        Assert.Equal(new ResourceSettings(), c.Resources);
        Assert.Equal("hs256", c.Auth.Mode);
        Assert.Equal("information", c.Logging.Level);
        Assert.Equal(0.1, c.Privacy.EpsilonPerQuery);
        Assert.Equal(1e-5, c.Privacy.Delta);
        Assert.Equal(10.0, c.Privacy.MaxBudgetPerUser);
        Assert.Equal("rdp", c.Privacy.CompositionMethod);
        Assert.Empty(c.Privacy.DepartmentBudgets);
        Assert.Equal(["query", "planning", "measurement"], c.Security.RolePermissions["doctor"]);
        Assert.Equal(["all"], c.Security.RolePermissions["admin"]);
        Assert.True(c.Performance.EnableAutoScaling);
        Assert.Equal(PerformanceSettings.GuidePolicies, c.Performance.ScalingPolicies);
        Assert.Equal(DataClassification.Restricted, c.Compliance.DataClassification["phi"]);
        Assert.Equal(2555, c.Compliance.DataRetentionDays);
        Assert.Null(c.Auth.JwtSecret);
        Assert.Null(c.MasterKey);
    }

    [Fact]
    public void Batch_interactive_reserve_defaults_to_half_is_read_and_is_bounded()
    {
        Assert.Equal(0.5, Parse(OneBackend).Batch.InteractiveReserve);
        Assert.Equal(0.7, Parse(OneBackend + "\nbatch:\n  interactive_reserve: 0.7\n").Batch.InteractiveReserve);
        var e = Fails(OneBackend + "\nbatch:\n  interactive_reserve: 1.5\n");
        Assert.Contains("batch.interactive_reserve", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    public void An_empty_file_is_all_defaults_with_no_backends(string yaml)
    {
        var c = Parse(yaml);

        Assert.Empty(c.Backends);
        Assert.Equal(new QuantumPlanningSettings(), c.QuantumPlanning);
    }

    [Fact]
    public void The_seed_blocks_parse_verbatim_and_every_value_lands()
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Configuration", "seed-blocks.yaml"));

        var c = Parse(yaml + "\n" + OneBackend);

        var p = c.Privacy;
        Assert.Equal(0.1, p.EpsilonPerQuery);
        Assert.Equal(1.0e-5, p.Delta);
        Assert.Equal(10.0, p.MaxBudgetPerUser);
        Assert.Equal("rdp", p.CompositionMethod);
        Assert.Equal(5, p.DepartmentBudgets.Count);
        Assert.Equal(20.0, p.DepartmentBudgets["emergency"]);
        Assert.Equal(15.0, p.DepartmentBudgets["icu"]);
        Assert.Equal(12.0, p.DepartmentBudgets["surgery"]);
        Assert.Equal(8.0, p.DepartmentBudgets["general"]);
        Assert.Equal(3.0, p.DepartmentBudgets["research"]);

        var s = c.Security;
        Assert.True(s.EnableEncryption);
        Assert.True(s.EnableAuditTrail);
        Assert.Equal("confidential", s.SecurityLevel);
        Assert.True(s.EnableQuantumSignatures);
        Assert.Equal(4, s.RolePermissions.Count);
        Assert.Equal(["query", "planning", "measurement"], s.RolePermissions["doctor"]);
        Assert.Equal(["query", "basic_planning"], s.RolePermissions["nurse"]);
        Assert.Equal(["query"], s.RolePermissions["researcher"]);
        Assert.Equal(["all"], s.RolePermissions["admin"]);

        var q = c.QuantumPlanning;
        Assert.True(q.EnableSuperposition);
        Assert.True(q.EnableEntanglement);
        Assert.True(q.EnableInterference);
        Assert.Equal(0.8, q.CoherenceThreshold);
        Assert.Equal(5, q.MaxEntangledTasks);
        Assert.Equal("adaptive", q.OptimizationStrategy);
        Assert.True(q.DecoherenceMitigation);
        Assert.Equal(2.0, q.BellInequalityThreshold);
        Assert.Equal(0.1, q.InterferenceResolution);

        Assert.True(c.Performance.EnableAutoScaling);
        Assert.Equal(
            [
                new ScalingPolicy("cpu_utilization", 0.8, 0.3, 3, 20),
                new ScalingPolicy("quantum_coherence_loss", 0.7, 0.9, 2, 10),
            ],
            c.Performance.ScalingPolicies);

        var r = c.Resources;
        Assert.Equal("8Gi", r.MemoryLimit);
        Assert.Equal("4000m", r.CpuLimit);
        Assert.Equal("1", r.GpuLimit);
        Assert.Equal(100, r.MaxSuperpositions);
        Assert.Equal(50, r.MaxEntanglements);
        Assert.Equal(1000, r.CoherencePoolSize);

        var co = c.Compliance;
        Assert.True(co.EnableHipaaLogging);
        Assert.True(co.EnableGdprCompliance);
        Assert.Equal(2555, co.DataRetentionDays);
        Assert.Equal(3650, co.AuditRetentionDays);
        Assert.Equal(DataClassification.Restricted, co.DataClassification["phi"]);
        Assert.Equal(DataClassification.Confidential, co.DataClassification["clinical_notes"]);
        Assert.Equal(DataClassification.Internal, co.DataClassification["research_data"]);
        Assert.Equal(DataClassification.Internal, co.DataClassification["system_logs"]);
    }

    [Fact]
    public void The_nodes_own_blocks_are_read()
    {
        var c = Parse("""
            node:
              id: st-marys
              name: St Mary's Hospital
              data_dir: /var/lib/quantumedge
            server:
              urls: http://0.0.0.0:8080
              metrics_url: http://0.0.0.0:9090
              workers: 8
              max_attempts: 2
            auth:
              issuer: st-marys
              audience: clinical-apps
              default_token_ttl: 90m
            logging:
              level: WARN
              format: json
            backends:
              - id: gpu-a
                url: https://llm.st-marys.local/v1/
                models: [clinical-7b, clinical-70b]
                max_concurrency: 32
                allowed_classifications: [restricted, confidential]
                metrics_url: https://llm.st-marys.local/metrics
                api_key_env: GPU_A_KEY
                timeout_seconds: 12.5
                max_answer_seconds: 1800
            """);

        Assert.Equal(new NodeSettings { Id = "st-marys", Name = "St Mary's Hospital", DataDir = "/var/lib/quantumedge" }, c.Node);
        Assert.Equal(8, c.Server.Workers);
        Assert.Equal(2, c.Server.MaxAttempts);
        Assert.Equal("st-marys", c.Auth.Issuer);
        Assert.Equal("clinical-apps", c.Auth.Audience);
        Assert.Equal(TimeSpan.FromMinutes(90), c.Auth.DefaultTokenTtl);
        Assert.Equal("warning", c.Logging.Level);
        Assert.Equal("json", c.Logging.Format);
        var b = Assert.Single(c.Backends);
        Assert.Equal(new Uri("https://llm.st-marys.local/v1/"), b.Url);
        Assert.Equal(["clinical-7b", "clinical-70b"], b.Models);
        Assert.Equal(32, b.MaxConcurrency);
        Assert.Equal([DataClassification.Restricted, DataClassification.Confidential], b.AllowedClassifications);
        Assert.Equal(new Uri("https://llm.st-marys.local/metrics"), b.MetricsUrl);
        Assert.Equal("GPU_A_KEY", b.ApiKeyEnv);
        Assert.Equal(12.5, b.TimeoutSeconds);
        Assert.Equal(1800, b.MaxAnswerSeconds);
    }

    [Theory]
    [InlineData("privcy:\n  delta: 1.0e-5\n", "privcy")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    modles: [m]\n", "backends[0].modles")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n  - id: b\n    url: http://h:8001/v1\n    models: [m]\n    max_concurency: 4\n", "backends[1].max_concurency")]
    [InlineData("privacy:\n  department_budget:\n    icu: 15.0\n", "privacy.department_budget")]
    [InlineData("privacy:\n  epsilon_per_query: 0.1\n  epsilon_per_querry: 0.2\n", "privacy.epsilon_per_querry")]
    [InlineData("security:\n  role_permisions:\n    doctor: [query]\n", "security.role_permisions")]
    [InlineData("quantum_planning:\n  coherence_treshold: 0.8\n", "quantum_planning.coherence_treshold")]
    [InlineData("performance:\n  scaling_policies:\n    - trigger: cpu_utilization\n    - trigger: cpu_utilization\n      min_instance: 2\n", "performance.scaling_policies[1].min_instance")]
    [InlineData("resources:\n  gpu_limits: \"1\"\n", "resources.gpu_limits")]
    [InlineData("compliance:\n  audit_retention: 10\n", "compliance.audit_retention")]
    [InlineData("auth:\n  mode: oidc\n  authorty: https://login.example.org\n", "auth.authorty")]
    [InlineData("node:\n  identifier: x\n", "node.identifier")]
    [InlineData("server:\n  port: 8080\n", "server.port")]
    [InlineData("logging:\n  colour: true\n", "logging.colour")]
    public void An_unknown_key_is_an_error_naming_its_full_dotted_path(string yaml, string key)
    {
        var e = Fails(yaml);

        Assert.Equal(key, e.Key);
        Assert.Contains("unknown key", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server:\n  workers: four\n", "server.workers", "whole number")]
    [InlineData("server:\n  workers: 2.5\n", "server.workers", "whole number")]
    [InlineData("quantum_planning:\n  enable_entanglement: maybe\n", "quantum_planning.enable_entanglement", "true or false")]
    [InlineData("quantum_planning:\n  coherence_threshold: high\n", "quantum_planning.coherence_threshold", "number")]
    [InlineData("quantum_planning:\n  coherence_threshold: [0.8]\n", "quantum_planning.coherence_threshold", "single value")]
    [InlineData("privacy: [1, 2]\n", "privacy", "mapping")]
    [InlineData("privacy:\n  department_budgets: 5\n", "privacy.department_budgets", "mapping")]
    [InlineData("privacy:\n  department_budgets:\n    icu: lots\n", "privacy.department_budgets.icu", "number")]
    [InlineData("privacy:\n  composition_method: advanced\n", "privacy.composition_method", "rdp")]
    [InlineData("backends:\n  id: a\n", "backends", "list")]
    [InlineData("backends:\n  - gpu-a\n", "backends[0]", "mapping")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: clinical-7b\n", "backends[0].models", "list")]
    [InlineData("security:\n  role_permissions:\n    doctor: [query, qurey]\n", "security.role_permissions.doctor[1]", "qurey")]
    [InlineData("security:\n  security_level: top_secret\n", "security.security_level", "top_secret")]
    [InlineData("compliance:\n  data_classification:\n    phi: secret\n", "compliance.data_classification.phi", "secret")]
    [InlineData("compliance:\n  audit_retention_days: 365\n", "compliance.audit_retention_days", "HIPAA")]
    [InlineData("compliance:\n  enable_hipaa_logging: true\n  audit_retention_days: 2189\n", "compliance.audit_retention_days", "6 years")]
    [InlineData("resources:\n  memory_limit: 8GB\n", "resources.memory_limit", "quantity")]
    [InlineData("auth:\n  mode: saml\n", "auth.mode", "saml")]
    [InlineData("auth:\n  mode: oidc\n", "auth.authority", "required")]
    [InlineData("auth:\n  default_token_ttl: forever\n", "auth.default_token_ttl", "duration")]
    [InlineData("logging:\n  level: loud\n", "logging.level", "log level")]
    [InlineData("server:\n  urls: ftp://0.0.0.0:8080\n", "server.urls", "http")]
    [InlineData("privacy:\n  budget_time_zone: Mars/Olympus_Mons\n", "privacy.budget_time_zone", "time zone")]
    // Within each key's range, but no query can be calibrated to them: serve refused these, check-config passed them.
    [InlineData("privacy:\n  epsilon_per_query: 1.0e-30\n", "privacy.epsilon_per_query", "1e-30 cannot be calibrated at privacy.delta 1e-05")]
    [InlineData("privacy:\n  delta: 0.999999\n", "privacy.epsilon_per_query", "0.1 cannot be calibrated at privacy.delta 0.999999")]
    [InlineData("privacy:\n  delta: 0.001\n  epsilon_per_query: 1.0e-12\n", "privacy.epsilon_per_query", "δ too close to 1")]
    [InlineData("privacy:\n  department_budgets:\n    \"\": 5\n", "privacy.department_budgets", "name is empty")]
    [InlineData("privacy:\n  department_budgets:\n    \" \": 5\n", "privacy.department_budgets", "name is empty")]
    public void A_value_of_the_wrong_type_or_shape_is_an_error_naming_the_key(string yaml, string key, string problem)
    {
        var e = Fails(yaml);

        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("quantum_planning:\n  coherence_threshold: 1.5\n", "quantum_planning.coherence_threshold")]
    [InlineData("quantum_planning:\n  coherence_threshold: -0.1\n", "quantum_planning.coherence_threshold")]
    [InlineData("quantum_planning:\n  max_entangled_tasks: 0\n", "quantum_planning.max_entangled_tasks")]
    [InlineData("quantum_planning:\n  bell_inequality_threshold: 4.5\n", "quantum_planning.bell_inequality_threshold")]
    [InlineData("privacy:\n  epsilon_per_query: 0\n", "privacy.epsilon_per_query")]
    [InlineData("privacy:\n  delta: 1.5\n", "privacy.delta")]
    [InlineData("privacy:\n  department_budgets:\n    icu: -3\n", "privacy.department_budgets.icu")]
    [InlineData("performance:\n  scaling_policies:\n    - scale_up_threshold: 1.2\n", "performance.scaling_policies[0].scale_up_threshold")]
    [InlineData("resources:\n  max_superpositions: 0\n", "resources.max_superpositions")]
    [InlineData("server:\n  max_attempts: 11\n", "server.max_attempts")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n    max_concurrency: 0\n", "backends[0].max_concurrency")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n    timeout_seconds: 0\n", "backends[0].timeout_seconds")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n    max_answer_seconds: 86401\n", "backends[0].max_answer_seconds")]
    public void An_out_of_range_value_is_an_error_naming_the_key_and_the_range(string yaml, string key)
    {
        var e = Fails(yaml);

        Assert.Equal(key, e.Key);
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_time_limit_shorter_than_the_silence_allowed_is_refused_and_the_default_is_ten_minutes()
    {
        var e = Fails("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n    timeout_seconds: 120\n    max_answer_seconds: 60\n");
        Assert.Equal("backends[0].max_answer_seconds", e.Key);
        Assert.Contains("shorter than timeout_seconds (120)", e.Message, StringComparison.Ordinal);

        var defaults = Parse("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n");
        Assert.Equal(600, Assert.Single(defaults.Backends).MaxAnswerSeconds);

        // A config written before the key existed stays valid: unset, it is never below timeout_seconds.
        var slow = Parse("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n    timeout_seconds: 900\n");
        Assert.Equal(900, Assert.Single(slow.Backends).MaxAnswerSeconds);
    }

    [Fact]
    public void A_scaling_policy_whose_minimum_exceeds_its_maximum_is_refused()
    {
        var e = Fails("performance:\n  scaling_policies:\n    - min_instances: 5\n      max_instances: 2\n");

        Assert.Equal("performance.scaling_policies[0].min_instances", e.Key);
    }

    [Theory]
    [InlineData("not a url", "http(s) URL")]
    [InlineData("ftp://h:8000/v1", "http(s) URL")]
    [InlineData("/v1", "http(s) URL")]
    [InlineData("http://h:8000", "/v1")]
    [InlineData("http://h:8000/api", "/v1")]
    [InlineData("http://h:8000/v1/chat/completions", "/v1")]
    public void A_backend_url_must_be_an_http_base_url_ending_in_v1(string url, string problem)
    {
        var e = Fails($"backends:\n  - id: a\n    url: \"{url}\"\n    models: [m]\n");

        Assert.Equal("backends[0].url", e.Key);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("url: \"http://svc:S3cretPw@h:8000/v1\"", "backends[0].url")]
    [InlineData("url: http://h:8000/v1\n    metrics_url: \"http://svc:S3cretPw@h:8000/metrics\"", "backends[0].metrics_url")]
    public void A_backend_url_holding_a_password_is_refused_without_quoting_it(string urls, string key)
    {
        // check-config printed it and every backup's effective-config.yaml kept it.
        var e = Fails($"backends:\n  - id: a\n    {urls}\n    models: [m]\n");

        Assert.Equal(key, e.Key);
        Assert.Contains("api_key_env", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cretPw", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("backends:\n  - url: http://h:8000/v1\n    models: [m]\n", "backends[0].id")]
    [InlineData("backends:\n  - id: a\n    models: [m]\n", "backends[0].url")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n", "backends[0].models")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: []\n", "backends[0].models")]
    public void A_backend_without_its_required_keys_is_refused(string yaml, string key)
    {
        Assert.Equal(key, Fails(yaml).Key);
    }

    [Fact]
    public void An_unknown_classification_in_a_backend_names_its_list_position()
    {
        var e = Fails("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n    allowed_classifications: [public, phi_only]\n");

        Assert.Equal("backends[0].allowed_classifications[1]", e.Key);
        Assert.Contains("phi_only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_backend_ids_are_refused_at_the_second_one()
    {
        var e = Fails("""
            backends:
              - id: gpu-a
                url: http://h:8000/v1
                models: [m]
              - id: gpu-a
                url: http://h:8001/v1
                models: [m]
            """);

        Assert.Equal("backends[1].id", e.Key);
        Assert.Contains("duplicate", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpu-a", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("privacy:\n  delta: [1e-5\n")]
    [InlineData("privacy:\n\tdelta: 1e-5\n")]
    [InlineData("privacy:\n  delta: 1e-5\n   epsilon_per_query: 0.1\n")]
    [InlineData("privacy: {delta: 1e-5\n")]
    public void Invalid_yaml_is_a_configuration_error_with_a_position(string yaml)
    {
        var e = Fails(yaml);

        Assert.Equal("(file)", e.Key);
        Assert.Contains("invalid YAML at line", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[", "]", 100_000)]
    [InlineData("{a: ", "}", 100_000)]
    [InlineData("[", "]", ConfigurationLoader.MaxNestingDepth)]
    public void Collections_nested_too_deep_are_refused_naming_the_limit_instead_of_overflowing_the_stack(string open, string close, int depth)
    {
        // 100,000 levels overflowed the stack (the process died with SIGSEGV) when the document was built.
        var e = Fails("x: " + string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth)) + "\n");
        Assert.Equal("(file)", e.Key);
        Assert.Contains($"more than {ConfigurationLoader.MaxNestingDepth} levels deep", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read_as_usual()
    {
        // Within the limit the file gets as far as its keys: this one is refused for its unknown key, not its depth.
        var depth = ConfigurationLoader.MaxNestingDepth - 1;
        var e = Fails("x: " + new string('[', depth) + new string(']', depth) + "\n");
        Assert.Contains("unknown", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("JWT_SECRET", "", "token signing secret")]
    [InlineData("MASTER_KEY", "", "master key")]
    [InlineData("LEDGER_DSN", "storage:\n  backend: postgresql\n  node_key_dir: /etc/quantumedge/keys\n  postgresql:\n    connection_string_env: LEDGER_DSN\n", "connection string")]
    [InlineData("HOOK_KEY", "compliance:\n  notify_url: https://siem.example/hook\n  notify_secret_env: HOOK_KEY\n", "notifications' signing key")]
    public void A_backend_key_variable_that_names_one_of_the_nodes_own_secrets_is_refused(string variable, string more, string named)
    {
        // The node sent its JWT secret as the backend's bearer key on every probe and request.
        var e = Fails(more + $"backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m]\n  - id: b\n    url: http://h:8001/v1\n    models: [m]\n    api_key_env: {variable}\n");
        Assert.Equal("backends[1].api_key_env", e.Key);
        Assert.Contains(variable, e.Message, StringComparison.Ordinal);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains("backend 'b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_given_twice_is_a_configuration_error()
    {
        var e = Fails("privacy:\n  delta: 1e-5\n  delta: 1e-6\n");

        Assert.Contains("delta", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("- privacy\n- security\n")]
    [InlineData("just a sentence\n")]
    public void A_top_level_that_is_not_a_mapping_is_refused(string yaml)
    {
        Assert.Equal("(file)", Fails(yaml).Key);
    }

    [Fact]
    public void More_than_one_yaml_document_is_refused()
    {
        Assert.Equal("(file)", Fails("privacy:\n  delta: 1e-5\n---\nsecurity:\n  enable_encryption: true\n").Key);
    }

    [Fact]
    public void LoadFile_names_the_config_argument_when_the_file_cannot_be_read()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"quantumedge-missing-{Guid.NewGuid():N}.yaml");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.LoadFile(missing, TestEnvironment.Empty));

        Assert.Equal("--config", e.Key);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_holding_an_escape_sequence_or_a_line_break_is_named_without_them()
    {
        // YAML's "\e" is ESC: unquoted in the message it would recolour the terminal, and "\r\n" forge a line.
        var e = Fails("\"x\\e[31m\\a\\r\\nconfiguration OK\": 1\n");

        Assert.Equal(@"x\u001B[31m\u0007\u000D\u000Aconfiguration OK", e.Key);
        Assert.DoesNotContain(e.Message, c => char.IsControl(c));
        Assert.Contains(@"'x\u001B[31m\u0007\u000D\u000Aconfiguration OK': unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_quoted_in_a_problem_is_printed_without_its_control_characters()
    {
        var e = Fails("logging:\n  level: \"loud\\e[2J\\0\\u202E\\r\\nconfiguration OK\"\n");

        Assert.Equal("logging.level", e.Key);
        Assert.DoesNotContain(e.Message, c => char.IsControl(c) || c == '\u202E');
        Assert.Contains(@"loud\u001B[2J\u0000\u202E\u000D\u000Aconfiguration OK", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\n")]
    [InlineData("# production settings\n# (to be filled)\n")]
    [InlineData("{}\n")]
    public void A_file_with_no_settings_is_refused_rather_than_taken_for_every_default(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"quantumedge-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.LoadFile(path, TestEnvironment.Empty));
            Assert.Equal("(file)", e.Key);
            Assert.Contains("holds no settings", e.Message, StringComparison.Ordinal);

            // Text handed in directly (tests, the embedded configuration) may still lean on every default.
            Assert.Empty(ConfigurationLoader.Parse(text, "text", TestEnvironment.Empty).Backends);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_records_the_full_path_as_the_source()
    {
        var path = Path.Combine(Path.GetTempPath(), $"quantumedge-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, OneBackend);
        try
        {
            var c = ConfigurationLoader.LoadFile(path, TestEnvironment.Empty);

            Assert.Equal(Path.GetFullPath(path), c.Source);
            Assert.Equal("gpu-a", Assert.Single(c.Backends).Id);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Without_hipaa_logging_a_short_audit_retention_is_accepted()
    {
        var c = Parse("compliance:\n  enable_hipaa_logging: false\n  audit_retention_days: 365\n");

        Assert.Equal(365, c.Compliance.AuditRetentionDays);
        Assert.Equal(2190, Parse("compliance:\n  audit_retention_days: 2190\n").Compliance.AuditRetentionDays);
    }
}

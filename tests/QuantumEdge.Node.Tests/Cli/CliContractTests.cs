using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Tests.Hosting.Tls;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>The CLI's contract: verbs, exit codes (0 ok, 1 failure, 2 usage/config) and messages that name the problem.</summary>
public sealed class CliContractTests
{
    private const string Secret = "cli-test-secret-long-enough-for-hmac-sha256!";
    private const string MasterKey = "O9/6XDoRyLTr9Q/12+N3100KYCSISudou/3ZJvecu2s=";

    /// <summary>The shipped production config with its certificate paths pointed at a freshly issued pair.</summary>
    private static string ProductionConfigWithCertificates(TestCertificates ca)
    {
        var (_, files) = ca.Server("hospital-a");
        var path = Path.Combine(ca.Directory, "production.yaml");
        File.WriteAllText(path, File.ReadAllText(QuantumEdgeProcess.RepoFile("configs", "production.yaml"))
            .Replace("/etc/quantumedge/tls/server.crt", files.CertificateFile, StringComparison.Ordinal)
            .Replace("/etc/quantumedge/tls/server.key", files.KeyFile, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public async Task Check_config_prints_the_production_example_with_secrets_masked()
    {
        using var ca = new TestCertificates();
        var r = await QuantumEdgeProcess.RunAsync(
            ["check-config", "--config", ProductionConfigWithCertificates(ca)],
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = MasterKey, ["VLLM_SECURE_API_KEY"] = "vllm-key" });
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("id: hospital-a", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("emergency: 20", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("master-key-value-123", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.Contains("JWT_SECRET: ****** (set)", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_production_example_is_https_only_and_binds_no_wildcard_address()
    {
        using var ca = new TestCertificates();
        var server = ConfigurationLoader.LoadFile(ProductionConfigWithCertificates(ca), _ => null).Server;

        foreach (var url in server.Urls.Split(';').Append(server.MetricsUrl))
        {
            Assert.StartsWith("https://", url, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"//(0\.0\.0\.0|\*|\+|\[::\])[:/]", url);
        }

        Assert.NotNull(server.EffectiveMetricsTls);
    }

    [Fact]
    public async Task Check_config_on_the_production_example_without_its_certificate_names_the_missing_file()
    {
        Assert.False(File.Exists("/etc/quantumedge/tls/server.crt"), "this machine has a real certificate where the example expects one");

        var r = await QuantumEdgeProcess.RunAsync(
            ["check-config", "--config", QuantumEdgeProcess.RepoFile("configs", "production.yaml")],
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = MasterKey, ["VLLM_SECURE_API_KEY"] = "vllm-key" });

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'server.tls.certificate_file'", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("'/etc/quantumedge/tls/server.crt' does not exist", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("backends:\n  - id: a\n    url: http://h/v1\n    models: [m]\n    colour: blue\n", "backends[0].colour")]
    [InlineData("privacy:\n  delta: 2\n", "privacy.delta")]
    [InlineData("quantum_planning:\n  optimization_strategy: fastest\n", "quantum_planning.optimization_strategy")]
    [InlineData("server:\n  max_attempts: many\n", "server.max_attempts")]
    [InlineData("nodes: {}\n", "nodes")]
    public async Task Bad_config_exits_2_naming_the_key(string yaml, string key)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, yaml);
        try
        {
            var r = await QuantumEdgeProcess.RunAsync(["check-config", "--config", path]);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"'{key}'", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Admin_commands_name_a_bad_path_or_window_before_doing_anything()
    {
        var dir = Directory.CreateTempSubdirectory("qe-cli-paths-").FullName;
        try
        {
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, $"node:\n  id: cli-paths\n  data_dir: {Path.Combine(dir, "data")}\n");
            var file = Path.Combine(dir, "not-a-backup");
            await File.WriteAllTextAsync(file, "x");
            var env = new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = MasterKey };
            (string[] Args, string Named)[] cases =
            [
                (["backup", "--out", "", "--config", config], "'--out': is empty"),
                (["check-config", "--config", ""], "'--config': is empty"),
                (["backup", "--out", Path.Combine(dir, "b"), "--config", ""], "'--config': is empty"),
                (["backup", "--out", Path.Combine(dir, "data", "ledger", "backups", "b"), "--config", config], "inside the ledger's directory"),
                (["restore", "--from", file, "--config", config], $"'{file}' is a file"),
                (["privacy", "report", "-o", dir, "--config", config], $"'--output': '{dir}' is a directory"),
                (["privacy", "report", "--from", "2026-11-02", "--to", "2026-11-01", "--config", config], "is later than --to"),
                (["audit", "export", "--from", "2026-11-02", "--to", "2026-11-01", "--config", config], "is later than --to"),
            ];

            foreach (var (args, named) in cases)
            {
                var r = await QuantumEdgeProcess.RunAsync(args, env);
                Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Stderr}");
                Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Config_path_comes_from_QUANTUM_CONFIG_PATH_when_no_flag()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "node:\n  id: from-env-path\n");
        try
        {
            var r = await QuantumEdgeProcess.RunAsync(["check-config"], new Dictionary<string, string?>
            {
                ["QUANTUM_CONFIG_PATH"] = path, ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = MasterKey,
            });
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("id: from-env-path", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_empty_QUANTUM_CONFIG_PATH_is_refused_like_an_empty_config_flag_not_taken_for_the_development_config()
    {
        var r = await QuantumEdgeProcess.RunAsync(["check-config"], new Dictionary<string, string?>
        {
            ["QUANTUM_CONFIG_PATH"] = "", ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = MasterKey,
        });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'QUANTUM_CONFIG_PATH': is set but empty", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("development", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_overrides_apply_and_bad_values_name_the_variable()
    {
        var ok = await QuantumEdgeProcess.RunAsync(["check-config"], new Dictionary<string, string?>
        {
            ["LOG_LEVEL"] = "WARN",
            ["OPTIMIZATION_STRATEGY"] = "latency_focused",
            ["QUANTUM_COHERENCE_THRESHOLD"] = "0.65",
            ["JWT_SECRET"] = Secret,
            ["MASTER_KEY"] = MasterKey,
        });
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("level: warning", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains("optimization_strategy: latency_focused", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains("coherence_threshold: 0.65", ok.Stdout, StringComparison.Ordinal);

        var bad = await QuantumEdgeProcess.RunAsync(["check-config"], new Dictionary<string, string?> { ["MAX_ENTANGLED_TASKS"] = "-3" });
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("MAX_ENTANGLED_TASKS", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_issue_prints_a_token_the_gateway_accepts()
    {
        var r = await QuantumEdgeProcess.RunAsync(
            ["token", "issue", "--sub", "dr.who", "--role", "doctor", "--department", "icu", "--ttl", "15m"],
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret });
        Assert.Equal(0, r.ExitCode);
        var caller = await new JwtAuthenticator(new AuthSettings { JwtSecret = Secret }).AuthenticateAsync("Bearer " + r.Stdout.Trim());
        Assert.Equal(("dr.who", "doctor", "icu"), (caller.Subject, caller.Role, caller.Department));
        Assert.InRange(caller.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(13), TimeSpan.FromMinutes(16));
    }

    [Fact]
    public async Task A_value_that_starts_with_an_at_sign_is_that_value_never_a_file_read_as_more_arguments()
    {
        var file = Path.GetTempFileName();
        try
        {
            // With response files on, the file gave the token both its subject and an admin role.
            await File.WriteAllTextAsync(file, "from-the-file --role admin");
            var r = await QuantumEdgeProcess.RunAsync(
                ["token", "issue", "--sub", "@" + file, "--role", "doctor", "--department", "@icu"],
                new Dictionary<string, string?> { ["JWT_SECRET"] = Secret });
            Assert.True(r.ExitCode == 0, r.Stderr);
            var caller = await new JwtAuthenticator(new AuthSettings { JwtSecret = Secret }).AuthenticateAsync("Bearer " + r.Stdout.Trim());
            Assert.Equal(("@" + file, "doctor", "@icu"), (caller.Subject, caller.Role, caller.Department));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "token", "issue", "--sub", "a", "--role", "janitor", "--department", "icu" }, "--role")]
    [InlineData(new[] { "token", "issue", "--sub", "a", "--role", "doctor", "--department", "icu", "--ttl", "forever" }, "--ttl")]
    [InlineData(new[] { "token", "issue", "--sub", "a", "--role", "doctor", "--department", "icu", "--ttl", "99999999h" }, "--ttl")]
    [InlineData(new[] { "token", "issue", "--sub", "a", "--role", "doctor", "--department", "icu", "--ttl", "367d" }, "--ttl")]
    public async Task Token_issue_rejects_bad_arguments_with_exit_2(string[] args, string named)
    {
        var r = await QuantumEdgeProcess.RunAsync(args, new Dictionary<string, string?> { ["JWT_SECRET"] = Secret });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_issue_without_JWT_SECRET_exits_2_naming_it()
    {
        var r = await QuantumEdgeProcess.RunAsync(["token", "issue", "--sub", "a", "--role", "doctor", "--department", "icu"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("JWT_SECRET", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_to_start_without_JWT_SECRET()
    {
        var r = await QuantumEdgeProcess.RunAsync(["serve"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("JWT_SECRET", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("token", "issue")]
    [InlineData("sim-backend", "--port", "70000")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var r = await QuantumEdgeProcess.RunAsync(args, new Dictionary<string, string?> { ["JWT_SECRET"] = Secret });
        Assert.Equal(2, r.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(r.Stderr));
    }

    [Fact]
    public async Task Privacy_epsilon_prints_json_with_epsilon_and_best_order()
    {
        var r = await QuantumEdgeProcess.RunAsync(["privacy", "epsilon", "--sigma", "1.1", "--q", "0.01", "--steps", "1000", "--delta", "1e-5", "--json"]);
        Assert.Equal(0, r.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var eps = doc.RootElement.GetProperty("epsilon").GetDouble();
        var expected = QuantumEdge.Privacy.Calculator.PrivacyCalculator.SubsampledGaussian(1.1, 0.01, 1000, 1e-5);
        Assert.Equal(expected.Epsilon, eps, 12);
        Assert.Equal(expected.BestOrder, doc.RootElement.GetProperty("best_order").GetDouble());
    }

    [Theory]
    [InlineData("--sigma", "0")]
    [InlineData("--q", "1.5")]
    [InlineData("--delta", "1")]
    public async Task Privacy_epsilon_rejects_bad_parameters_naming_them(string option, string value)
    {
        var args = new List<string> { "privacy", "epsilon", "--sigma", "1", "--q", "0.1", "--steps", "10", "--delta", "1e-5" };
        var i = args.IndexOf(option);
        args[i + 1] = value;
        var r = await QuantumEdgeProcess.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Stderr, StringComparison.Ordinal);
    }
}

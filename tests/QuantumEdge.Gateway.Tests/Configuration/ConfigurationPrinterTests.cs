using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

public sealed class ConfigurationPrinterTests
{
    private const string JwtSecret = "jwt-secret-6d1f0c7e-2b4a-4f55-9a3e-tests";
    private const string MasterKey = "master-key-91c2e5aa-0d9b-47e1-8f36-tests";

    private static readonly Func<string, string?> Secrets = TestEnvironment.With(("JWT_SECRET", JwtSecret), ("MASTER_KEY", MasterKey));

    private static string SeedAndBackends(string apiKeyVariable) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Configuration", "seed-blocks.yaml")) + $$"""

        node:
          id: st-marys
          name: "St Mary's: east wing"
        server:
          urls: http://0.0.0.0:8080;http://[::1]:8081
          workers: 4
        auth:
          issuer: st-marys
          default_token_ttl: 90m
        logging:
          level: warning
          format: json
        backends:
          - id: gpu-a
            url: http://10.0.0.5:8000/v1
            models: [clinical-7b, "org/model:q4"]
            max_concurrency: 32
            allowed_classifications: [restricted, confidential, internal]
            metrics_url: http://10.0.0.5:8000/metrics
            api_key_env: {{apiKeyVariable}}
            timeout_seconds: 12.5
          - id: cpu-b
            url: http://10.0.0.6:8080/v1
            models: [clinical-7b]
        """;

    [Fact]
    public void Secrets_are_masked_and_never_printed()
    {
        var keyVariable = $"QE_TEST_BACKEND_KEY_{Guid.NewGuid():N}";
        const string backendKey = "backend-key-3e8d5b2a-tests";
        Environment.SetEnvironmentVariable(keyVariable, backendKey);
        try
        {
            var c = ConfigurationLoader.Parse(SeedAndBackends(keyVariable), "prod.yaml", Secrets);

            var text = ConfigurationPrinter.Print(c);

            Assert.DoesNotContain(JwtSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(MasterKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(backendKey, text, StringComparison.Ordinal);
            Assert.Contains("# JWT_SECRET: ****** (set)", text, StringComparison.Ordinal);
            Assert.Contains("# MASTER_KEY: ****** (set)", text, StringComparison.Ordinal);
            Assert.Contains($"# {keyVariable}: ****** (set)", text, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(keyVariable, null);
        }
    }

    [Fact]
    public void Unset_secrets_are_reported_as_not_set()
    {
        var text = ConfigurationPrinter.Print(ConfigurationLoader.Parse("", "empty.yaml", TestEnvironment.Empty));

        Assert.Contains("# JWT_SECRET: (not set)", text, StringComparison.Ordinal);
        Assert.Contains("# MASTER_KEY: (not set)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_printed_configuration_parses_back_to_the_same_configuration()
    {
        var c = ConfigurationLoader.Parse(SeedAndBackends("QE_TEST_UNSET_KEY"), "prod.yaml", Secrets);
        var printed = ConfigurationPrinter.Print(c);

        var again = ConfigurationLoader.Parse(printed, "prod.yaml", Secrets);

        Assert.Equal(c.Node, again.Node);
        Assert.Equal(c.Server, again.Server);
        Assert.Equal(c.Auth, again.Auth);
        Assert.Equal(c.Logging, again.Logging);
        Assert.Equal(c.QuantumPlanning, again.QuantumPlanning);
        Assert.Equal(c.Resources, again.Resources);
        Assert.Equal(c.Performance.ScalingPolicies, again.Performance.ScalingPolicies);
        Assert.Equal(c.Privacy.DepartmentBudgets, again.Privacy.DepartmentBudgets);
        Assert.Equal(c.Security.RolePermissions, again.Security.RolePermissions);
        Assert.Equal(c.Compliance.DataClassification, again.Compliance.DataClassification);
        Assert.Equal(c.Backends.Count, again.Backends.Count);
        for (var i = 0; i < c.Backends.Count; i++)
        {
            Assert.Equal(c.Backends[i].Url, again.Backends[i].Url);
            Assert.Equal(c.Backends[i].Models, again.Backends[i].Models);
            Assert.Equal(c.Backends[i].AllowedClassifications, again.Backends[i].AllowedClassifications);
            Assert.Equal(c.Backends[i].MetricsUrl, again.Backends[i].MetricsUrl);
            Assert.Equal(c.Backends[i].Id, again.Backends[i].Id);
            Assert.Equal(c.Backends[i].MaxConcurrency, again.Backends[i].MaxConcurrency);
            Assert.Equal(c.Backends[i].ApiKeyEnv, again.Backends[i].ApiKeyEnv);
            Assert.Equal(c.Backends[i].TimeoutSeconds, again.Backends[i].TimeoutSeconds);
        }

        Assert.Equal(printed, ConfigurationPrinter.Print(again));
    }

    [Fact]
    public void The_defaults_print_and_parse_back_unchanged()
    {
        var c = ConfigurationLoader.Parse("", "defaults", TestEnvironment.Empty);
        var printed = ConfigurationPrinter.Print(c);

        Assert.Equal(printed, ConfigurationPrinter.Print(ConfigurationLoader.Parse(printed, "defaults", TestEnvironment.Empty)));
    }

    [Theory]
    [InlineData("- East campus")]
    [InlineData("? Main")]
    [InlineData("`quoted`")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("yes")]
    [InlineData("42")]
    [InlineData("St Mary's: east wing #2")]
    [InlineData("C:\\ProgramData\\QuantumEdge")]
    [InlineData(" padded ")]
    public void Awkward_names_print_as_yaml_that_reads_back_the_same(string name)
    {
        var c = ConfigurationLoader.Parse("", "x.yaml", TestEnvironment.Empty) with { Node = new NodeSettings { Name = name, DataDir = name.Trim() } };

        var again = ConfigurationLoader.Parse(ConfigurationPrinter.Print(c), "x.yaml", TestEnvironment.Empty);

        Assert.Equal(name, again.Node.Name);
        Assert.Equal(name.Trim(), again.Node.DataDir);
    }

    [Fact]
    public void A_path_with_a_line_break_and_a_tab_prints_as_yaml_that_reads_back_the_same()
    {
        // node.name refuses control characters (NodeSettingsTests); a path may hold them.
        const string path = "two\nlines\tand a tab";
        var c = ConfigurationLoader.Parse("", "x.yaml", TestEnvironment.Empty) with { Node = new NodeSettings { DataDir = path } };

        var again = ConfigurationLoader.Parse(ConfigurationPrinter.Print(c), "x.yaml", TestEnvironment.Empty);

        Assert.Equal(path, again.Node.DataDir);
    }

    [Theory]
    [InlineData("A&E")]
    [InlineData("icu: adult")]
    [InlineData("Ob/Gyn #2")]
    [InlineData("&night")]
    [InlineData("- ward 3")]
    public void Department_and_role_names_are_quoted_where_yaml_needs_it(string name)
    {
        var yaml = $"""
            privacy:
              department_budgets:
                "{name}": 4.5
            security:
              role_permissions:
                "{name}": [query]
            compliance:
              data_classification:
                "{name}": confidential
            """;
        var c = ConfigurationLoader.Parse(yaml, "x.yaml", TestEnvironment.Empty);

        var again = ConfigurationLoader.Parse(ConfigurationPrinter.Print(c), "x.yaml", TestEnvironment.Empty);

        Assert.Equal(4.5, again.Privacy.DepartmentBudgets[name]);
        Assert.Equal(["query"], again.Security.RolePermissions[name]);
        Assert.Equal(QuantumEdge.Gateway.Classification.DataClassification.Confidential, again.Compliance.DataClassification[name]);
    }
}

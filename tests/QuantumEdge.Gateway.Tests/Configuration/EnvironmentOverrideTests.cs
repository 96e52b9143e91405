using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

public sealed class EnvironmentOverrideTests
{
    private const string FileValues = """
        server:
          workers: 2
        logging:
          level: debug
        quantum_planning:
          coherence_threshold: 0.8
          max_entangled_tasks: 5
          optimization_strategy: adaptive
        """;

    private static NodeConfiguration Parse(params (string, string)[] variables) =>
        ConfigurationLoader.Parse(FileValues, "test.yaml", TestEnvironment.With(variables));

    [Fact]
    public void Without_variables_the_file_values_stand()
    {
        var c = Parse();

        Assert.Equal(2, c.Server.Workers);
        Assert.Equal("debug", c.Logging.Level);
        Assert.Equal(0.8, c.QuantumPlanning.CoherenceThreshold);
        Assert.Null(c.Auth.JwtSecret);
        Assert.Null(c.MasterKey);
    }

    [Theory]
    [InlineData("INFO", "information")]
    [InlineData("info", "information")]
    [InlineData("WARN", "warning")]
    [InlineData("Warning", "warning")]
    [InlineData("ERROR", "error")]
    [InlineData("DEBUG", "debug")]
    [InlineData("FATAL", "critical")]
    public void LOG_LEVEL_accepts_the_seeds_spellings(string value, string level)
    {
        Assert.Equal(level, Parse(("LOG_LEVEL", value)).Logging.Level);
    }

    [Fact]
    public void The_seeds_example_environment_overrides_the_file()
    {
        // The values from the deployment guide's "Environment Configuration" block, changed where they equal the file's.
        var c = Parse(
            ("LOG_LEVEL", "INFO"),
            ("WORKERS", "4"),
            ("MASTER_KEY", "your-secure-master-key"),
            ("JWT_SECRET", "your-jwt-secret"),
            ("QUANTUM_COHERENCE_THRESHOLD", "0.65"),
            ("MAX_ENTANGLED_TASKS", "8"),
            ("OPTIMIZATION_STRATEGY", "latency_focused"));

        Assert.Equal("information", c.Logging.Level);
        Assert.Equal(4, c.Server.Workers);
        Assert.Equal("your-secure-master-key", c.MasterKey);
        Assert.Equal("your-jwt-secret", c.Auth.JwtSecret);
        Assert.Equal(0.65, c.QuantumPlanning.CoherenceThreshold);
        Assert.Equal(8, c.QuantumPlanning.MaxEntangledTasks);
        Assert.Equal("latency_focused", c.QuantumPlanning.OptimizationStrategy);
    }

    [Fact]
    public void OPTIMIZATION_STRATEGY_is_matched_case_insensitively_and_stored_canonically()
    {
        Assert.Equal("throughput_focused", Parse(("OPTIMIZATION_STRATEGY", "Throughput_Focused")).QuantumPlanning.OptimizationStrategy);
    }

    [Fact]
    public void Empty_variables_are_ignored()
    {
        var c = Parse(("LOG_LEVEL", ""), ("WORKERS", ""), ("JWT_SECRET", ""), ("MASTER_KEY", ""));

        Assert.Equal("debug", c.Logging.Level);
        Assert.Equal(2, c.Server.Workers);
        Assert.Null(c.Auth.JwtSecret);
        Assert.Null(c.MasterKey);
    }

    [Theory]
    [InlineData("LOG_LEVEL", "loud")]
    [InlineData("WORKERS", "four")]
    [InlineData("WORKERS", "-1")]
    [InlineData("WORKERS", "5000")]
    [InlineData("QUANTUM_COHERENCE_THRESHOLD", "1.5")]
    [InlineData("QUANTUM_COHERENCE_THRESHOLD", "high")]
    [InlineData("MAX_ENTANGLED_TASKS", "0")]
    [InlineData("MAX_ENTANGLED_TASKS", "5.5")]
    [InlineData("OPTIMIZATION_STRATEGY", "fastest")]
    public void A_bad_value_is_an_error_naming_the_variable(string variable, string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse((variable, value)));

        Assert.Contains(variable, e.Key, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_documented_variable_is_listed_with_the_key_it_overrides()
    {
        var names = ConfigurationLoader.EnvironmentOverrides.Select(o => o.Variable).ToHashSet();

        Assert.Equal(
            ["LOG_LEVEL", "WORKERS", "JWT_SECRET", "MASTER_KEY", "QUANTUM_COHERENCE_THRESHOLD", "MAX_ENTANGLED_TASKS", "OPTIMIZATION_STRATEGY"],
            ConfigurationLoader.EnvironmentOverrides.Select(o => o.Variable));
        Assert.Equal(7, names.Count);
        Assert.Contains(ConfigurationLoader.EnvironmentOverrides, o => o is ("QUANTUM_COHERENCE_THRESHOLD", "quantum_planning.coherence_threshold"));
    }
}

using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>Values that are wrong in a particular way get a message that says that way, at the key that holds them.</summary>
public sealed class ConfigurationMessageTests
{
    private const string OneBackend = """
        backends:
          - id: gpu-a
            url: http://10.0.0.5:8000/v1
            models: [clinical-7b]
        """;

    private static ConfigurationException Fails(string yaml) =>
        Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse(yaml, "test.yaml", TestEnvironment.Empty));

    [Theory]
    [InlineData("server:\n  max_request_body_bytes: 9223372036854775807\n", "server.max_request_body_bytes", "9223372036854775807 is out of range [1024, 268435456]")]
    [InlineData("logging:\n  max_file_mb: 9999999999999\n", "logging.max_file_mb", "9999999999999 is out of range [1, 10240]")]
    [InlineData("logging:\n  max_file_mb: -9999999999999\n", "logging.max_file_mb", "-9999999999999 is out of range [1, 10240]")]
    [InlineData("logging:\n  max_file_mb: 12.5\n", "logging.max_file_mb", "expected a whole number, got '12.5'")]
    public void A_whole_number_too_large_for_its_type_is_out_of_range_not_malformed(string yaml, string key, string problem)
    {
        var e = Fails(yaml);
        Assert.Equal(key, e.Key);
        Assert.Equal(problem, e.Problem);
    }

    [Theory]
    [InlineData("node:\n  id: a\n  {0}: 1\n")]
    [InlineData("node:\n  id: a\n  \"{0}\": 1\n")]
    [InlineData("backends:\n  - {0}: x\n")]
    public void A_key_longer_than_yaml_allows_is_called_that_not_a_missing_key(string template)
    {
        var e = Fails(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, new string('k', 1100)));

        Assert.Equal("(file)", e.Key);
        Assert.StartsWith("invalid YAML at line ", e.Problem, StringComparison.Ordinal);
        Assert.Contains("a key longer than 1,024 characters", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1100)]
    public void An_unclosed_bracket_before_the_next_key_is_named_at_its_place(int valueLength)
    {
        // YamlDotNet throws InvalidOperationException here, which no caller expected: check-config printed only its type,
        // and a reload let it escape. Only a key's length is YAML's limit, so a long value is not blamed on its key.
        var e = Fails("node:\n  id: a\n  b: [" + new string('v', valueLength) + "\n  c: 1\n");

        Assert.Equal("(file)", e.Key);
        Assert.Equal("invalid YAML at line 3, column 6: this '[' or '{' is not closed where the parser expected it", e.Problem);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5m")]
    public void A_duration_of_zero_or_less_is_called_that(string ttl)
    {
        var e = Fails($"auth:\n  default_token_ttl: {ttl}\n");
        Assert.Equal("auth.default_token_ttl", e.Key);
        Assert.Contains("is not longer than zero", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_that_is_no_duration_is_still_called_that()
    {
        Assert.Contains("is not a duration such as 90s", Fails("auth:\n  default_token_ttl: soon\n").Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A=B")]
    [InlineData("1KEY")]
    [InlineData("sk-live-abc123")]
    public void An_api_key_env_that_is_no_variable_name_is_refused_at_its_key_without_echoing_it(string value)
    {
        var e = Fails(OneBackend + $"\n    api_key_env: \"{value}\"\n");
        Assert.Equal("backends[0].api_key_env", e.Key);
        Assert.Contains("must be the name of an environment variable", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_notify_secret_env_that_is_no_variable_name_is_refused_at_its_key()
    {
        var e = Fails("compliance:\n  notify_url: https://siem.example/hook\n  notify_secret_env: \"s3cr3t value\"\n");
        Assert.Equal("compliance.notify_secret_env", e.Key);
        Assert.DoesNotContain("s3cr3t", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[~]")]
    [InlineData("[clinical-7b, null]")]
    [InlineData("[NULL]")]
    [InlineData("\n      - clinical-7b\n      -\n")]
    public void A_null_item_in_a_list_is_refused_naming_its_position(string models)
    {
        var e = Fails($"backends:\n  - id: gpu-a\n    url: http://10.0.0.5:8000/v1\n    models: {models}\n");
        Assert.StartsWith("backends[0].models[", e.Key, StringComparison.Ordinal);
        Assert.Contains("is empty (YAML null)", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_tilde_in_a_list_is_the_value_it_spells()
    {
        var config = ConfigurationLoader.Parse("backends:\n  - id: gpu-a\n    url: http://10.0.0.5:8000/v1\n    models: [\"~\"]\n", "test.yaml", TestEnvironment.Empty);
        Assert.Equal(["~"], config.Backends[0].Models);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"x*\"")]
    [InlineData("\"(?:)\"")]
    [InlineData("\"\\\\b\"")]
    [InlineData("\"(?=\\\\d)\"")]
    [InlineData("\"(?<=\\\\s)\"")]
    public void An_extra_pattern_that_can_match_an_empty_stretch_is_refused(string regex)
    {
        var e = Fails($"security:\n  phi_detection:\n    extra_patterns: [{{ name: local_id, regex: {regex} }}]\n");
        Assert.Equal("security.phi_detection.extra_patterns[0].regex", e.Key);
        Assert.Contains("can match an empty stretch", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node:\n  id: a\n  name: *nothere\n", "line 3, column 9")]
    [InlineData("node:\n  id: &a x\n  name: *ab\n  other: [*a, *a]\n", "line 3, column 9")]
    [InlineData("backends:\n  - id: a\n    url: http://h:8000/v1\n    models: [m, *missing]\n", "line 4, column 17")]
    [InlineData("# name: *nothere\nnode:\n  id: \"*nothere\"\n  name: *nothere\n", "line 4, column 9")]
    public void An_alias_to_an_undefined_anchor_is_reported_where_it_stands(string yaml, string where)
    {
        var e = Fails(yaml);
        Assert.Equal("(file)", e.Key);
        Assert.Contains(where, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duration_shorter_than_a_tick_is_refused_not_taken_for_zero()
    {
        var e = Fails("auth:\n  default_token_ttl: 1e-9s\n");
        Assert.Equal("auth.default_token_ttl", e.Key);
        Assert.Contains("longer than zero", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_empty_variable_name_is_no_variable()
    {
        var config = ConfigurationLoader.Parse("compliance:\n  notify_secret_env: \"\"\n" + OneBackend + "\n    api_key_env: \" \"\n", "test.yaml", TestEnvironment.Empty);
        Assert.Null(config.Compliance.NotifySecretEnv);
        Assert.Null(config.Backends[0].ApiKeyEnv);
    }

    [Fact]
    public void A_log_file_that_is_a_device_or_a_link_to_one_is_refused_and_a_link_to_a_file_is_not()
    {
        var dir = Directory.CreateTempSubdirectory("qe-logfile-").FullName;
        try
        {
            var e = Fails("logging:\n  file: /dev/null\n");
            Assert.Equal("logging.file", e.Key);
            Assert.Contains("is a character device, not a regular file", e.Problem, StringComparison.Ordinal);

            var toDevice = Path.Combine(dir, "to-null.log");
            File.CreateSymbolicLink(toDevice, "/dev/null");
            Assert.Contains("a character device", Fails($"logging:\n  file: {toDevice}\n").Problem, StringComparison.Ordinal);

            var real = Path.Combine(dir, "real.log");
            File.WriteAllText(real, "");
            var toFile = Path.Combine(dir, "to-real.log");
            File.CreateSymbolicLink(toFile, real);
            Assert.Equal(toFile, ConfigurationLoader.Parse($"logging:\n  file: {toFile}\n", "test.yaml", TestEnvironment.Empty).Logging.File);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

using QuantumEdge.Node.Cli;

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// check-config fails without the secrets serve needs (naming each variable, never a value), a weak
/// MASTER_KEY is refused by check-config and serve alike, and ledger verbs run without --config say
/// which configuration they act on and create no data directory.
/// </summary>
public sealed class RequiredSecretsTests
{
    private const string Secret = "cli-test-secret-long-enough-for-hmac-sha256!";
    private const string StrongKey = "GLg78kYs/D/lBHLn4KXKuD5OYvRfholm+SUcAY15+VU=";

    [Theory]
    [InlineData("abc")]
    [InlineData("published-binary-master-key")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("0123456789abcdef")]
    public void Weak_master_keys_are_refused(string key)
    {
        Assert.True(MasterKeyStrength.EstimatedBits(key) < MasterKeyStrength.MinimumBits);
        Assert.Contains("openssl rand -base64 32", MasterKeyStrength.Problem(key), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("                                        ", "is too weak")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "is too weak")]
    [InlineData("abababababababababababababababababab", "is too weak")]
    [InlineData(StrongKey, "is the same as MASTER_KEY")]
    public void A_guessable_jwt_secret_or_one_equal_to_the_master_key_is_refused_without_quoting_it(string secret, string problem)
    {
        // These passed the length check alone; whoever guesses the secret mints admin tokens.
        string? Env(string name) => name switch { "JWT_SECRET" => secret, "MASTER_KEY" => StrongKey, _ => null };
        var config = QuantumEdge.Gateway.Configuration.ConfigurationLoader.Parse("", "test.yaml", Env);
        var jwt = Assert.Single(RequiredSecrets.Check(config, Env), p => p.Variable == "JWT_SECRET");
        Assert.StartsWith(problem, jwt.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret.Trim().Length > 0 ? secret : "\t", jwt.Message, StringComparison.Ordinal);
        Assert.Empty(RequiredSecrets.Check(config with { Auth = config.Auth with { JwtSecret = Secret } }, Env));
    }

    [Fact]
    public void Random_keys_as_openssl_makes_them_pass()
    {
        for (var i = 0; i < 200; i++)
        {
            var base64 = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            Assert.Null(MasterKeyStrength.Problem(base64));
            Assert.Null(MasterKeyStrength.Problem(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
        }
    }

    [Fact]
    public async Task Check_config_without_secrets_exits_2_naming_every_missing_variable()
    {
        var r = await QuantumEdgeProcess.RunAsync(["check-config", "--config", QuantumEdgeProcess.RepoFile("configs", "development.yaml")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'JWT_SECRET': is not set", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("'MASTER_KEY': is not set", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("configuration OK", r.Stderr, StringComparison.Ordinal);

        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                backends:
                  - id: gpu
                    url: http://127.0.0.1:8001/v1
                    models: [clinical-7b]
                    api_key_env: GPU_BACKEND_KEY
                """);
            var noKey = await QuantumEdgeProcess.RunAsync(["check-config", "--config", path],
                new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey });
            Assert.Equal(2, noKey.ExitCode);
            Assert.Contains("'GPU_BACKEND_KEY': is not set; backend 'gpu'", noKey.Stderr, StringComparison.Ordinal);

            // A secret file's trailing newline: serve used to stop with a FormatException naming nothing.
            var newline = await QuantumEdgeProcess.RunAsync(["check-config", "--config", path],
                new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey, ["GPU_BACKEND_KEY"] = "backend-key-value\n" });
            Assert.Equal(2, newline.ExitCode);
            Assert.Contains("'GPU_BACKEND_KEY': holds a space, a line break", newline.Stderr, StringComparison.Ordinal);
            Assert.Contains("backend 'gpu'", newline.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("backend-key-value", newline.Stdout + newline.Stderr, StringComparison.Ordinal);

            var all = await QuantumEdgeProcess.RunAsync(["check-config", "--config", path],
                new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey, ["GPU_BACKEND_KEY"] = "backend-key-value" });
            Assert.True(all.ExitCode == 0, all.Stderr);
            Assert.Contains("configuration OK", all.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(StrongKey, all.Stdout + all.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("backend-key-value", all.Stdout + all.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Check_config_and_serve_refuse_a_weak_master_key_without_quoting_it()
    {
        var env = new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = "published-binary-master-key" };
        var check = await QuantumEdgeProcess.RunAsync(["check-config"], env);
        Assert.Equal(2, check.ExitCode);
        Assert.Contains("'MASTER_KEY': is too weak", check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("published-binary-master-key", check.Stdout + check.Stderr, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("qe-weak-key-").FullName;
        try
        {
            var serve = await QuantumEdgeProcess.RunAsync(["serve"], env, TimeSpan.FromSeconds(60), workingDirectory: dir);
            Assert.Equal(2, serve.ExitCode);
            Assert.Contains("MASTER_KEY", serve.Stderr, StringComparison.Ordinal);
            Assert.Contains("openssl rand -base64 32", serve.Stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_master_key_ending_in_a_line_break_is_a_problem_only_while_no_ledger_exists()
    {
        var dir = Directory.CreateTempSubdirectory("qe-key-edge-").FullName;
        try
        {
            string? Env(string name) => name switch { "JWT_SECRET" => Secret, "MASTER_KEY" => StrongKey + "\n", _ => null };
            var config = QuantumEdge.Gateway.Configuration.ConfigurationLoader.Parse($"node:\n  data_dir: {dir}\n", "test.yaml", Env);
            var problem = Assert.Single(RequiredSecrets.Check(config, Env));
            Assert.Equal("MASTER_KEY", problem.Variable);
            Assert.StartsWith(@"ends with a line break (\n); the new ledger would be encrypted with those bytes too", problem.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(StrongKey, problem.Message, StringComparison.Ordinal);

            // A ledger already there may have been created from exactly these bytes: opening it decides.
            Directory.CreateDirectory(Path.Combine(dir, "ledger"));
            File.WriteAllBytes(Path.Combine(dir, "ledger", "ledger.db"), [1]);
            Assert.Empty(RequiredSecrets.Check(config, Env));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Check_config_and_serve_refuse_to_create_a_ledger_from_a_master_key_ending_in_a_line_break()
    {
        var env = new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey + "\n" };
        var dir = Directory.CreateTempSubdirectory("qe-key-edge-").FullName;
        try
        {
            var check = await QuantumEdgeProcess.RunAsync(["check-config"], env, workingDirectory: dir);
            Assert.Equal(2, check.ExitCode);
            Assert.Contains(@"'MASTER_KEY': ends with a line break (\n)", check.Stderr, StringComparison.Ordinal);

            var serve = await QuantumEdgeProcess.RunAsync(["serve"], env, TimeSpan.FromSeconds(60), workingDirectory: dir);
            Assert.Equal(2, serve.ExitCode);
            Assert.Contains(@"'MASTER_KEY': ends with a line break (\n)", serve.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(StrongKey, check.Stderr + serve.Stderr + check.Stdout + serve.Stdout, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("backup", "--out", "backup-here")]
    [InlineData("audit", "verify")]
    public async Task Ledger_verbs_without_config_name_the_config_and_create_no_data_directory(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("qe-noconfig-").FullName;
        try
        {
            var r = await QuantumEdgeProcess.RunAsync(args, new Dictionary<string, string?> { ["MASTER_KEY"] = StrongKey }, workingDirectory: dir);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("no --config or QUANTUM_CONFIG_PATH given: using embedded development config", r.Stderr, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(dir, "quantumedge-data"), r.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(dir, "quantumedge-data")), "a data directory was created: " + r.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

namespace QuantumEdge.Node.Tests.Cli;

/// <summary>
/// Issue 13: with <c>storage.backend: postgresql</c>, check-config and serve need the variable that
/// <c>storage.postgresql.connection_string_env</c> names, say so naming it, and never echo its value.
/// </summary>
public sealed class PostgreSqlCheckConfigTests : IDisposable
{
    private const string Secret = "cli-test-secret-long-enough-for-hmac-sha256!";
    private const string StrongKey = "GLg78kYs/D/lBHLn4KXKuD5OYvRfholm+SUcAY15+VU=";
    private const string ConnectionString = "Host=127.0.0.1;Port=1;Database=qe;Username=qe;Password=pg-secret-never-echoed";

    private readonly string _dir = Directory.CreateTempSubdirectory("qe-pg-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config()
    {
        var path = Path.Combine(_dir, "node.yaml");
        File.WriteAllText(path, $"""
            node:
              data_dir: {Path.Combine(_dir, "data")}
            storage:
              backend: postgresql
              node_key_dir: {Path.Combine(_dir, "keys")}
              postgresql:
                connection_string_env: QE_LEDGER_DB
                replica_id: router-a
            """);
        return path;
    }

    [Fact]
    public async Task Check_config_names_a_missing_or_empty_connection_string_variable()
    {
        var path = Config();
        foreach (var value in new string?[] { null, "" })
        {
            var r = await QuantumEdgeProcess.RunAsync(["check-config", "--config", path],
                new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey, ["QE_LEDGER_DB"] = value });

            Assert.Equal(2, r.ExitCode);
            Assert.Contains("'QE_LEDGER_DB': is not set or empty", r.Stderr, StringComparison.Ordinal);
            Assert.Contains("storage.postgresql.connection_string_env", r.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Check_config_passes_with_the_variable_set_and_masks_its_value()
    {
        var r = await QuantumEdgeProcess.RunAsync(["check-config", "--config", Config()],
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey, ["QE_LEDGER_DB"] = ConnectionString });

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("backend: postgresql", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("replica_id: router-a", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("pg-secret-never-echoed", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_without_the_variable_exits_2_naming_it_and_creates_nothing()
    {
        var r = await QuantumEdgeProcess.RunAsync(["serve", "--config", Config()],
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey }, TimeSpan.FromSeconds(60));

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'QE_LEDGER_DB'", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "data")));
    }

    [Fact]
    public async Task A_connection_string_written_in_the_file_is_refused_naming_the_key()
    {
        var path = Path.Combine(_dir, "bad.yaml");
        await File.WriteAllTextAsync(path, $"storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string: \"{ConnectionString}\"\n");

        var r = await QuantumEdgeProcess.RunAsync(["check-config", "--config", path],
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["MASTER_KEY"] = StrongKey });

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'storage.postgresql.connection_string'", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pg-secret-never-echoed", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }
}

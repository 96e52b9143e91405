using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Configuration;

/// <summary>
/// <c>storage.backend</c> picks the ledger engine; the PostgreSQL block names the variable holding
/// the connection string and never accepts the string itself.
/// </summary>
public sealed class StorageBackendConfigurationTests
{
    private const string ConnectionString = "Host=db.internal;Database=quantumedge;Username=qe;Password=hunter2-secret";

    private static NodeConfiguration Parse(string yaml, Func<string, string?>? env = null) =>
        ConfigurationLoader.Parse(yaml, "test.yaml", env ?? TestEnvironment.Empty);

    [Fact]
    public void The_default_is_the_litedb_ledger_with_no_connection_string()
    {
        var c = Parse("node:\n  id: a\n");

        Assert.Equal("litedb", c.Storage.Backend);
        Assert.False(c.Storage.IsPostgreSql);
        Assert.Null(c.LedgerConnectionString);
        Assert.False(c.Storage.PostgreSql.ServeFreeRequestsWhileUnavailable);
    }

    [Fact]
    public void Postgresql_reads_the_connection_string_from_the_named_variable()
    {
        var c = Parse("""
            storage:
              backend: postgresql
              node_key_dir: /var/lib/quantumedge/keys
              postgresql:
                connection_string_env: QE_LEDGER_DB
                replica_id: router-0
                serve_free_requests_while_unavailable: true
            """, TestEnvironment.With(("QE_LEDGER_DB", ConnectionString)));

        Assert.True(c.Storage.IsPostgreSql);
        Assert.Equal(ConnectionString, c.LedgerConnectionString);
        Assert.Equal("router-0", c.Storage.PostgreSql.ResolveReplicaId());
        Assert.True(c.Storage.PostgreSql.ServeFreeRequestsWhileUnavailable);
    }

    [Fact]
    public void The_replica_id_defaults_to_the_host_name_made_safe()
    {
        var c = Parse("storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: QE_LEDGER_DB\n");

        Assert.Null(c.Storage.PostgreSql.ReplicaId);
        Assert.Equal(PostgreSqlSettings.DefaultReplicaId(Environment.MachineName), c.Storage.PostgreSql.ResolveReplicaId());
        Assert.Equal("quantum-federated-router-7f9c-x2", PostgreSqlSettings.DefaultReplicaId("quantum-federated-router-7f9c-x2"));
        Assert.Equal("host-with-space", PostgreSqlSettings.DefaultReplicaId("host with space"));
        Assert.Equal(64, PostgreSqlSettings.DefaultReplicaId(new string('h', 300)).Length);
    }

    [Fact]
    public void A_connection_string_in_the_file_is_an_error_naming_the_key_without_echoing_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(
            $"storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string: \"{ConnectionString}\"\n"));

        Assert.Contains("storage.postgresql.connection_string", e.Message, StringComparison.Ordinal);
        Assert.Contains("connection_string_env", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_pasted_as_the_variable_name_is_refused_without_echoing_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(
            $"storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: \"{ConnectionString}\"\n"));

        Assert.Contains("storage.postgresql.connection_string_env", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgresql_without_the_variable_name_is_an_error_naming_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse("storage:\n  backend: postgresql\n  node_key_dir: /k\n"));

        Assert.Contains("storage.postgresql.connection_string_env", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unset_or_empty_variable_leaves_no_connection_string()
    {
        const string yaml = "storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: QE_LEDGER_DB\n";

        Assert.Null(Parse(yaml).LedgerConnectionString);
        Assert.Null(Parse(yaml, TestEnvironment.With(("QE_LEDGER_DB", "  "))).LedgerConnectionString);
    }

    [Theory]
    [InlineData("storage:\n  backend: postgresql\n  postgresql:\n    connection_string_env: X\n", "storage.node_key_dir")]
    [InlineData("storage:\n  backend: mysql\n", "storage.backend")]
    [InlineData("storage:\n  postgresql:\n    connection_string_env: QE_LEDGER_DB\n", "storage.postgresql")]
    [InlineData("storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: X\n    replica_id: \"a/b\"\n", "storage.postgresql.replica_id")]
    [InlineData("storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: X\n    serve_free_requests_while_unavailable: maybe\n", "storage.postgresql.serve_free_requests_while_unavailable")]
    [InlineData("storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: X\n    host: db\n", "storage.postgresql.host")]
    public void Bad_storage_values_name_the_key(string yaml, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(yaml));

        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_printer_shows_the_backend_and_masks_the_connection_string()
    {
        var c = Parse("storage:\n  backend: postgresql\n  node_key_dir: /k\n  postgresql:\n    connection_string_env: QE_LEDGER_DB\n    replica_id: r1\n",
            TestEnvironment.With(("QE_LEDGER_DB", ConnectionString)));

        var printed = ConfigurationPrinter.Print(c);

        Assert.Contains("backend: postgresql", printed, StringComparison.Ordinal);
        Assert.Contains("connection_string_env: QE_LEDGER_DB", printed, StringComparison.Ordinal);
        Assert.Contains("# QE_LEDGER_DB: ****** (set)", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", printed, StringComparison.Ordinal);
    }
}

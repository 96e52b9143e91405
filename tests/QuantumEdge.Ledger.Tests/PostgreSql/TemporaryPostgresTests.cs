using Npgsql;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>The shared fixture itself: a real server that stops, starts, dies and comes back on the same port.</summary>
public sealed class TemporaryPostgresTests
{
    [Fact]
    public async Task Server_accepts_connections_survives_stop_and_kill_and_is_removed_on_dispose()
    {
        string root;
        await using (var server = await TemporaryPostgres.CreateAsync())
        {
            root = server.Root;
            Assert.Equal(1, await ScalarAsync(server.ConnectionString));

            await server.StopAsync();
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(server.ConnectionString));
            await server.StartAsync();
            Assert.Equal(1, await ScalarAsync(server.ConnectionString));

            server.Kill();
            Assert.False(server.IsRunning);
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(server.ConnectionString));
            await server.StartAsync();
            Assert.Equal(1, await ScalarAsync(server.ConnectionString));

            var other = await server.CreateDatabaseAsync();
            Assert.Equal(1, await ScalarAsync(other));
            Assert.Equal("1", (await server.PsqlAsync("SELECT 1")).Trim());
        }

        Assert.False(Directory.Exists(root));
    }

    private static async Task<int> ScalarAsync(string connectionString)
    {
        // No pooling: a pooled connection would outlive the server it was opened on.
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=5");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}

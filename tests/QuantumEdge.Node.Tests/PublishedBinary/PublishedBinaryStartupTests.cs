namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>Start-up refusals of the real executable: wrong or missing secrets are configuration errors (exit 2).</summary>
[Collection("published binary")]
public sealed class PublishedBinaryStartupTests
{
    [Fact]
    public async Task Wrong_or_missing_MASTER_KEY_on_an_existing_ledger_exits_2_and_changes_nothing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-mk-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var api = NodeProcess.FreePort();
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, $"""
                node:
                  data_dir: {dir}/data
                server:
                  urls: http://127.0.0.1:{api}
                  metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
                storage:
                  kdf_memory_kib: 8192
                  kdf_passes: 1
                """);
            await using (var node = await NodeProcess.StartAsync(config, $"http://127.0.0.1:{api}"))
            {
                Assert.Equal(0, await node.StopAsync());
            }

            var ledgerFile = Path.Combine(dir, "data", "ledger", "ledger.db");
            var before = await File.ReadAllBytesAsync(ledgerFile);

            var wrong = NodeProcess.StartInfo("serve", "--config", config);
            wrong.Environment["MASTER_KEY"] = "mjBQJfFI5j2oh69jsoAhhtSWaxj3LFMXgsdxrxns0us=";
            var (wrongExit, wrongOut) = await RunAsync(wrong);
            Assert.Equal(2, wrongExit);
            Assert.Contains("MASTER_KEY", wrongOut, StringComparison.Ordinal);

            var missing = NodeProcess.StartInfo("serve", "--config", config);
            missing.Environment.Remove("MASTER_KEY");
            var (missingExit, missingOut) = await RunAsync(missing);
            Assert.Equal(2, missingExit);
            Assert.Contains("MASTER_KEY", missingOut, StringComparison.Ordinal);

            Assert.Equal(before, await File.ReadAllBytesAsync(ledgerFile));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(int, string)> RunAsync(System.Diagnostics.ProcessStartInfo psi)
    {
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout + await stderr);
    }
}

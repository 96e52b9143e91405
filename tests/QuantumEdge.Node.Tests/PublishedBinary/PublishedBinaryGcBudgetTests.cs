using System.Globalization;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The executable's gen0 budget: compiled into the AOT binary (the JIT build gets the same value from
/// NodeProcess), read back from the GC itself in one start-up line, and overridable by an operator
/// through <c>DOTNET_GCgen0size</c>.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryGcBudgetTests
{
    [Fact]
    public async Task The_start_up_line_shows_the_built_in_gen0_budget()
    {
        var line = await StartUpGcLineAsync(new Dictionary<string, string>());

        Assert.Contains($"gen0 budget {BuiltInMib} MiB", line, StringComparison.Ordinal);
        Assert.Contains("heap limit ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DOTNET_GCgen0size_overrides_the_built_in_budget()
    {
        // 0x1800000 = 24 MiB: hex, as the runtime reads it; not the built-in value.
        var line = await StartUpGcLineAsync(new Dictionary<string, string> { [GcSettings.OverrideVariable] = "1800000" });

        Assert.Contains("gen0 budget 24 MiB (DOTNET_GCgen0size=1800000)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_limit_too_small_for_the_gen0_budget_fails_check_config_and_serve_naming_both_remedies_and_a_smaller_budget_fits()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-gc-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var api = NodeProcess.FreePort();
            var config = Path.Combine(dir, "node.yaml");
            // 128Mi: a 96 MiB heap limit, under four budgets of 64 MiB (the default) but over four of 16 MiB.
            await File.WriteAllTextAsync(config, $"""
                node:
                  data_dir: {dir}/data
                server:
                  urls: http://127.0.0.1:{api}
                  metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
                storage:
                  kdf_memory_kib: 8192
                  kdf_passes: 1
                resources:
                  memory_limit: "128Mi"
                """);

            // check-config says so too: a configuration it passes must not stop serve.
            foreach (var verb in new[] { "check-config", "serve" })
            {
                var (exit, output) = await NodeProcess.RunAsync(verb, "--config", config);

                Assert.Equal(2, exit);
                Assert.Contains("'resources.memory_limit'", output, StringComparison.Ordinal);
                Assert.Contains("raise memory_limit to at least 342Mi", output, StringComparison.Ordinal);
                Assert.Contains("DOTNET_GCgen0size=1800000", output, StringComparison.Ordinal);
            }

            // 16 MiB, not less: below ~11 MiB the GC's budget after its first collection is set by what survived, not the floor.
            var line = await StartUpGcLineAsync(new Dictionary<string, string> { [GcSettings.OverrideVariable] = "1000000" }, config);
            Assert.Contains("gen0 budget 16 MiB", line, StringComparison.Ordinal);
            Assert.Contains("heap limit 96 MiB", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string BuiltInMib => (GcSettings.BuiltInGen0BudgetBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture);

    private static async Task<string> StartUpGcLineAsync(IReadOnlyDictionary<string, string> environment)
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-gc-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, $"""
                node:
                  data_dir: {dir}/data
                server:
                  urls: http://127.0.0.1:{NodeProcess.FreePort()}
                  metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
                storage:
                  kdf_memory_kib: 8192
                  kdf_passes: 1
                """);
            return await StartUpGcLineAsync(environment, config);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Starts the node on <paramref name="config"/> (its first server.urls entry), returns its GC line, stops it.</summary>
    private static async Task<string> StartUpGcLineAsync(IReadOnlyDictionary<string, string> environment, string config)
    {
        var api = File.ReadLines(config).Select(l => l.Trim()).First(l => l.StartsWith("urls: ", StringComparison.Ordinal))["urls: ".Length..];
        await using var node = await NodeProcess.StartAsync(config, api, environment: environment);
        // Listening comes before the line is written: poll the output for it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? line;
        while ((line = node.Output.FirstOrDefault(l => l.Contains("GC: ", StringComparison.Ordinal))) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, await node.StopAsync());
        Assert.NotNull(line);
        return line;
    }
}

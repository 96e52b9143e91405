using System.Globalization;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary><c>resources.memory_limit</c> becomes the executable's GC heap hard limit (75 %) and <c>cpu_limit</c> its cores, as its metrics report.</summary>
[Collection("published binary")]
public sealed class PublishedBinaryMemoryLimitTests
{
    [Theory]
    [InlineData("512Mi", 402_653_184L)]
    [InlineData("1Gi", 805_306_368L)]
    public async Task The_memory_limit_sets_the_gc_heap_hard_limit_and_the_cpu_limit_the_cores(string limit, long heapBytes)
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-mem-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var api = NodeProcess.FreePort();
            var metrics = NodeProcess.FreePort();
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, $"""
                node:
                  data_dir: {dir}/data
                server:
                  urls: http://127.0.0.1:{api}
                  metrics_url: http://127.0.0.1:{metrics}
                storage:
                  kdf_memory_kib: 8192
                  kdf_passes: 1
                resources:
                  memory_limit: "{limit}"
                  cpu_limit: "1000m"
                """);
            await using var node = await NodeProcess.StartAsync(config, $"http://127.0.0.1:{api}");
            using var http = new HttpClient();

            var text = await http.GetStringAsync($"http://127.0.0.1:{metrics}/metrics");

            var line = text.Split('\n').Single(l => l.StartsWith("quantumedge_gc_heap_limit_bytes ", StringComparison.Ordinal));
            Assert.Equal(heapBytes, double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
            Assert.Contains("\nquantumedge_cpu_cores_allowed 1\n", text, StringComparison.Ordinal);
            Assert.Equal(0, await node.StopAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

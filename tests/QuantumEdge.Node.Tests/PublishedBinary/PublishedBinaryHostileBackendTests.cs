using System.Globalization;
using System.Text.RegularExpressions;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>The executable (the AOT binary in CI) against a backend whose <c>GET /models</c> never ends: its memory stays flat.</summary>
[Collection("published binary")]
public sealed partial class PublishedBinaryHostileBackendTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbh-" + Guid.NewGuid().ToString("N")[..12]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [GeneratedRegex("""quantumedge_backend_errors_total\{backend="endless",kind="probe_oversized"\} (\d+)""")]
    private static partial Regex OversizedProbes();

    [Fact]
    public async Task An_endless_models_body_does_not_grow_the_node()
    {
        await using var endless = new EndlessBodyServer("/models", Enumerable.Repeat((byte)'[', 64 * 1024).ToArray());
        var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var metrics = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(config, $"""
            node:
              id: pb-hostile
              data_dir: {_dir}/data
            server:
              urls: {api}
              metrics_url: {metrics}
              health_probe_interval_seconds: 1
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            backends:
              - id: endless
                url: {endless.BaseUrl}
                models: [clinical-7b]
                allowed_classifications: [public]
            """);
        await using var node = await NodeProcess.StartAsync(config, api);

        // Unbounded, one probe round reads what loopback delivers in 2 s: gigabytes. Wait for three bounded rounds.
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var rounds = 0;
        while (rounds < 3)
        {
            await Task.Delay(100, deadline.Token);
            var match = OversizedProbes().Match(await http.GetStringAsync(metrics + "/metrics", deadline.Token));
            rounds = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }

        Assert.True(node.WorkingSet < 400L * 1024 * 1024, $"the node holds {node.WorkingSet / (1024 * 1024)} MiB");
        Assert.True(endless.BytesWritten < 64L * 1024 * 1024, $"the node took {endless.BytesWritten / (1024 * 1024)} MiB of an endless body in {rounds} probes");
        using var health = await http.GetAsync(api + "/health");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The cap on request bodies held at once, in the executable (the native-AOT binary in CI, where the
/// budget reaches the request handler through the trimmed dependency injection): under
/// <c>memory_limit: 512Mi</c> three declared 10 MiB bodies hold 30 MiB of the 32 MiB, the fourth is
/// answered 503 <c>server_busy</c> before it is read, and the bytes come back when the three go.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryRequestBodyBudgetTests : IAsyncLifetime
{
    private const int Declared = 10 * 1024 * 1024;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbbody-" + Guid.NewGuid().ToString("N")[..12]);
    private SimulatedBackend _backend = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _backend = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "open", TimeScale = 0 });
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_body_that_would_cross_the_cap_is_refused_503_and_the_bytes_come_back()
    {
        var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var metrics = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(config, $"""
            node:
              id: pb-body
              data_dir: {_dir}/data
            server:
              urls: {api}
              metrics_url: {metrics}
              max_request_body_bytes: 16777216
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            resources:
              memory_limit: 512Mi
            backends:
              - id: open
                url: {_backend.BaseUrl}
                models: [clinical-7b]
                allowed_classifications: [public]
            """);
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.body", "doctor", "general", TimeSpan.FromMinutes(5));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var node = await NodeProcess.StartAsync(config, api);
        Assert.Equal(32L * 1024 * 1024, await GaugeAsync(http, metrics, "quantumedge_request_body_bytes_limit"));

        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await StartLargeBodyAsync(api, token));
                var count = i + 1;
                await WaitForGaugeAsync(http, metrics, v => v >= count * (double)Declared);
            }

            using (var fourth = await StartLargeBodyAsync(api, token))
            {
                var answer = await RawHttp.ReadUntilClosedAsync(fourth);
                Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
                Assert.Contains("Retry-After: 1\r\n", answer, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("\"code\":\"server_busy\"", answer, StringComparison.Ordinal);
            }

            foreach (var socket in held)
            {
                socket.Dispose();
            }

            held.Clear();
            await WaitForGaugeAsync(http, metrics, v => v == 0);
            using var small = new HttpRequestMessage(HttpMethod.Post, api + "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"clinical-7b","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            small.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            small.Headers.Add("X-Data-Classification", "public");
            using var served = await http.SendAsync(small);
            Assert.True(served.StatusCode == HttpStatusCode.OK, $"{(int)served.StatusCode} {await served.Content.ReadAsStringAsync()}");
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }

        Assert.Equal(0, await node.StopAsync());
    }

    private static Task<Socket> StartLargeBodyAsync(string api, string token) => RawHttp.StartChatBodyAsync(api, token, Declared);

    private static async Task<double> GaugeAsync(HttpClient http, string metrics, string name)
    {
        var text = await http.GetStringAsync(metrics + "/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForGaugeAsync(HttpClient http, string metrics, Func<double, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition(await GaugeAsync(http, metrics, "quantumedge_request_body_bytes_held")))
        {
            await Task.Delay(50, deadline.Token);
        }
    }
}

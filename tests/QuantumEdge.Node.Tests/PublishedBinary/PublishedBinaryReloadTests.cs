using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// SIGHUP (what <c>systemctl reload</c> sends) to the executable: a backend added to the file
/// becomes routable without a restart, a broken file is refused while the node keeps serving, and
/// both reloads are in the signed audit chain.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryReloadTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-hup-").FullName;
    private SimulatedBackend _first = null!;
    private SimulatedBackend _second = null!;
    private string _config = "";
    private string _api = "";
    private string _metrics = "";

    public async Task InitializeAsync()
    {
        _first = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "first", Models = ["model-a"], TimeScale = 0 });
        _second = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "second", Models = ["model-b"], TimeScale = 0 });
        _api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _metrics = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _config = Path.Combine(_dir, "node.yaml");
        await WriteConfig(Backend("first", _first, "model-a"));
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Sighup_applies_a_new_backend_and_refuses_a_broken_file_while_serving()
    {
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.hup", "doctor", "icu", TimeSpan.FromMinutes(10));
        await using (var node = await NodeProcess.StartAsync(_config, _api))
        {
            using var http = new HttpClient { BaseAddress = new Uri(_api), Timeout = TimeSpan.FromSeconds(30) };
            Assert.NotEqual(HttpStatusCode.OK, await Complete(http, token, "model-b"));

            await WriteConfig(Backend("first", _first, "model-a") + Backend("second", _second, "model-b"));
            await node.SignalAsync("HUP");
            await WaitUntilRoutableAsync(http, token, node);

            await File.WriteAllTextAsync(_config, "backends: [\n");
            await node.SignalAsync("HUP");
            var deadline = Stopwatch.StartNew();
            while (!node.Output.Any(l => l.Contains("configuration reload (SIGHUP) refused", StringComparison.Ordinal)))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "no refusal logged:\n" + string.Join('\n', node.Output));
                await Task.Delay(20);
            }

            Assert.False(node.HasExited);
            Assert.Equal(HttpStatusCode.OK, await Complete(http, token, "model-b"));
            Assert.Equal(0, await node.StopAsync());
        }

        // The file is broken now; the audit export reads the ledger with the last good one.
        await WriteConfig(Backend("first", _first, "model-a") + Backend("second", _second, "model-b"));
        var export = Path.Combine(_dir, "audit.jsonl");
        var (exit, output) = await NodeProcess.RunAsync("audit", "export", "--config", _config, "--format", "jsonl", "-o", export);
        Assert.True(exit == 0, output);
        if (!OperatingSystem.IsWindows())
        {
            // It names every caller of its window: private whatever the umask, as a backup is.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(export));
        }

        var lines = await File.ReadAllLinesAsync(export);
        Assert.Contains(lines, l => l.Contains("\"admin:config_reload\"", StringComparison.Ordinal) && l.Contains("second", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"admin:config_reload_refused\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sighup_reloads_a_node_started_with_sighup_ignored_as_under_nohup()
    {
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.hup", "doctor", "icu", TimeSpan.FromMinutes(10));
        await using var node = await NodeProcess.StartAsync(_config, _api, hangupIgnored: true);
        using var http = new HttpClient { BaseAddress = new Uri(_api), Timeout = TimeSpan.FromSeconds(30) };

        await WriteConfig(Backend("first", _first, "model-a") + Backend("second", _second, "model-b"));
        await node.SignalAsync("HUP");
        // The runtime installs no handler over an inherited "ignore": the signal would vanish, and this would time out.
        await WaitUntilRoutableAsync(http, token, node);

        Assert.Contains(node.Output, l => l.Contains("SIGHUP was ignored when the node started", StringComparison.Ordinal));
        Assert.Equal(0, await node.StopAsync());
    }

    /// <summary>Polls model-b (the backend a reload adds) until it answers 200; fails with the node's output after 30 s.</summary>
    private static async Task WaitUntilRoutableAsync(HttpClient http, string token, NodeProcess node)
    {
        var deadline = Stopwatch.StartNew();
        while (await Complete(http, token, "model-b") != HttpStatusCode.OK)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the added backend never became routable:\n" + string.Join('\n', node.Output));
            await Task.Delay(20);
        }
    }

    private static string Backend(string id, SimulatedBackend sim, string model) => $"""
          - id: {id}
            url: {sim.BaseUrl}
            models: [{model}]
            allowed_classifications: [restricted, confidential, internal, public]

        """;

    private Task WriteConfig(string backends) => File.WriteAllTextAsync(_config, $"""
        node:
          id: hup-node
          data_dir: {_dir}/data
        server:
          urls: {_api}
          metrics_url: {_metrics}
        storage:
          kdf_memory_kib: 8192
          kdf_passes: 1
        backends:
        {backends}
        """);

    private static async Task<HttpStatusCode> Complete(HttpClient http, string token, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":8,"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "internal");
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return response.StatusCode;
    }
}

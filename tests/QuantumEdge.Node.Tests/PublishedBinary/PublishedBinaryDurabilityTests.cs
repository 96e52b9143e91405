using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The privacy ledger through the real executable (the AOT binary in CI): concurrent charges for one
/// user get exactly the budget, and SIGKILL while requests are in flight loses no acknowledged charge,
/// never exceeds the budget, and leaves an audit chain that verifies.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryDurabilityTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pb-" + Guid.NewGuid().ToString("N")[..12]);
    private SimulatedBackend _sim = null!;
    private string _config = "";
    private string _api = "";
    private readonly JwtAuthenticator _auth = new(new AuthSettings { JwtSecret = NodeProcess.JwtSecret });

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0.05, MaxConcurrency = 256 });
        var apiPort = NodeProcess.FreePort();
        var metricsPort = NodeProcess.FreePort();
        _api = $"http://127.0.0.1:{apiPort}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              id: pb-node
              data_dir: {_dir}/data
            server:
              urls: {_api}
              metrics_url: http://127.0.0.1:{metricsPort}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            backends:
              - id: sim
                url: {_sim.BaseUrl}
                models: [clinical-7b]
                max_concurrency: 256
                allowed_classifications: [restricted, confidential, internal, public]
            privacy:
              epsilon_per_query: 0.1
              max_budget_per_user: 3.0
              composition_method: basic
            """);
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_user_get_exactly_the_budget()
    {
        await using var node = await NodeProcess.StartAsync(_config, _api);
        using var http = new HttpClient();
        var token = _auth.Issue("dr.concurrent", "doctor", "general", TimeSpan.FromMinutes(10));
        var statuses = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ => SendAsync(http, token)));

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(90, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(30, await QueriesAsync(http, token));
        Assert.Equal(0, await node.StopAsync());
        var (exit, output) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.True(exit == 0, output);
        Assert.Contains("audit chain OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigkill_with_requests_in_flight_loses_no_acknowledged_charge()
    {
        var token = _auth.Issue("dr.crash", "doctor", "general", TimeSpan.FromMinutes(10));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var acknowledged = 0;
        await using (var node = await NodeProcess.StartAsync(_config, _api))
        {
            using var enough = new SemaphoreSlim(0);
            var load = Enumerable.Range(0, 200).Select(async _ =>
            {
                try
                {
                    if (await SendAsync(http, token) == HttpStatusCode.OK && Interlocked.Increment(ref acknowledged) == 12)
                    {
                        enough.Release();
                    }
                }
                catch (HttpRequestException)
                {
                    // In flight when the node died: never acknowledged.
                }
                catch (TaskCanceledException)
                {
                }
            }).ToList();
            Assert.True(await enough.WaitAsync(TimeSpan.FromSeconds(30)), "the node never answered 12 charged requests");
            await node.KillAsync();
            await Task.WhenAll(load);
        }

        var acknowledgedBeforeCrash = Volatile.Read(ref acknowledged);
        await using (var restarted = await NodeProcess.StartAsync(_config, _api))
        {
            var recorded = await QueriesAsync(http, token);
            Assert.True(recorded >= acknowledgedBeforeCrash, $"ledger holds {recorded} charges but {acknowledgedBeforeCrash} were acknowledged");
            Assert.True(recorded <= 30, $"budget exceeded: {recorded} charges");

            // The rest of the day's budget is still exactly what the ledger says is left.
            var more = 0;
            while (await SendAsync(http, token) == HttpStatusCode.OK)
            {
                more++;
                Assert.True(more <= 30, "never refused");
            }

            Assert.Equal(30, recorded + more);
            Assert.Equal(0, await restarted.StopAsync());
        }

        var (exit, output) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.True(exit == 0, output);
    }

    private async Task<HttpStatusCode> SendAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _api + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"clinical-7b","messages":[{"role":"user","content":"Summarise the note."}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "phi");
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode;
    }

    private async Task<long> QueriesAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _api + "/privacy/budgets");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("data")[0].GetProperty("queries").GetInt64();
    }
}

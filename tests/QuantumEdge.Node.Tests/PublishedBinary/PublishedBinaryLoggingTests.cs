using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// JSON logs of the executable under a non-UTC local time zone: every timestamp is UTC RFC 3339
/// (no local time labelled Z, no trailing space), and each request gets one structured line with
/// its id, route, status, backend, latency and decision, and neither the prompt nor the token.
/// </summary>
public sealed class PublishedBinaryLoggingTests : IAsyncLifetime
{
    private const string Canary = "PROMPT-CANARY-7f3e";
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-logs-").FullName;
    private SimulatedBackend _sim = null!;
    private string _config = "";
    private string _api = "";

    public async Task InitializeAsync()
    {
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });
        _api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              id: log-node
              data_dir: {_dir}/data
            server:
              urls: {_api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            logging:
              format: json
            backends:
              - id: sim
                url: {_sim.BaseUrl}
                models: [clinical-7b]
                allowed_classifications: [restricted, confidential, internal, public]
            """);
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Json_logs_are_utc_rfc3339_with_one_line_per_request_and_no_prompt_or_token()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        // India has no daylight saving: 5:30 ahead of UTC all year, so local time labelled Z is 5.5 h off.
        await using var node = await NodeProcess.StartAsync(_config, _api, environment: new Dictionary<string, string> { ["TZ"] = "Asia/Kolkata" });
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.logs", "doctor", "icu", TimeSpan.FromMinutes(10));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _api + "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"clinical-7b","messages":[{"role":"user","content":"{{Canary}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "phi");
        using (var response = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        JsonElement? requestLine = null;
        var deadline = Stopwatch.StartNew();
        while (requestLine is null && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            requestLine = node.Output.Select(TryParse).FirstOrDefault(e => e is { } j && j.TryGetProperty("EventId", out var id) && id.GetInt32() == 100);
            if (requestLine is null)
            {
                await Task.Delay(20);
            }
        }

        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        Assert.True(requestLine is not null, "no request log line in:\n" + string.Join('\n', node.Output));
        var state = requestLine.Value.GetProperty("State");
        Assert.Equal("chat_completions", state.GetProperty("Route").GetString());
        Assert.Equal("200", state.GetProperty("Status").ToString());
        Assert.Equal("sim", state.GetProperty("Backend").GetString());
        Assert.Equal("completed", state.GetProperty("Decision").GetString());
        Assert.Equal("restricted", state.GetProperty("Classification").GetString());
        Assert.False(string.IsNullOrEmpty(state.GetProperty("RequestId").GetString()));
        Assert.True(double.Parse(state.GetProperty("LatencyMs").ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);

        foreach (var line in node.Output)
        {
            Assert.DoesNotContain(Canary, line, StringComparison.Ordinal);
            Assert.DoesNotContain(token, line, StringComparison.Ordinal);
            if (TryParse(line) is { } json && json.TryGetProperty("Timestamp", out var ts))
            {
                var text = ts.GetString()!;
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", text);
                var stamp = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(stamp, before.AddMinutes(-1), after);
            }
        }
    }

    private static JsonElement? TryParse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

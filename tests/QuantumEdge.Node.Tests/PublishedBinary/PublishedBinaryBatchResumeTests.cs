using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.Batch;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// A batch through the real executable (the AOT binary in CI) survives SIGKILL mid-batch: after a
/// restart it resumes, every line is answered exactly once with the backend's answer, and each
/// line's privacy charge is made once (the audit trail holds one unrefunded charge per line).
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryBatchResumeTests : IAsyncLifetime
{
    private const int Lines = 60;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbb-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly JwtAuthenticator _auth = new(new AuthSettings { JwtSecret = NodeProcess.JwtSecret });
    private SimulatedBackend _sim = null!;
    private string _config = "";
    private string _api = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0.2, MaxConcurrency = 64 });
        _api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              id: pb-batch
              data_dir: {_dir}/data
            server:
              urls: {_api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            backends:
              - id: sim
                url: {_sim.BaseUrl}
                models: [clinical-7b]
                max_concurrency: 64
                allowed_classifications: [restricted, confidential, internal, public]
            privacy:
              epsilon_per_query: 0.01
              max_budget_per_user: 100.0
              composition_method: basic
            batch:
              max_in_flight: 2
            """);
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Sigkill_mid_batch_then_restart_answers_each_line_once_and_charges_it_once()
    {
        var token = _auth.Issue("dr.batch", "doctor", "general", TimeSpan.FromMinutes(30));
        using var http = new HttpClient { BaseAddress = new Uri(_api), Timeout = TimeSpan.FromSeconds(30) };
        var jsonl = BatchCalls.Lines(Lines);
        string batchId;
        await using (var node = await NodeProcess.StartAsync(_config, _api))
        {
            var fileId = await BatchCalls.UploadOkAsync(http, token, jsonl);
            batchId = (await BatchCalls.CreateBatchAsync(http, token, fileId, """{"data_classification":"phi"}""")).GetProperty("id").GetString()!;
            var midway = await BatchCalls.WaitAsync(http, token, batchId, b => b.GetProperty("request_counts").GetProperty("completed").GetInt32() >= 5);
            Assert.True(midway.GetProperty("request_counts").GetProperty("completed").GetInt32() < Lines - 5, "the batch finished before it could be killed");
            await node.KillAsync();
        }

        await using (var restarted = await NodeProcess.StartAsync(_config, _api))
        {
            var done = await BatchCalls.WaitFinalAsync(http, token, batchId, seconds: 180);
            Assert.Equal("completed", done.GetProperty("status").GetString());
            Assert.Equal(Lines, done.GetProperty("request_counts").GetProperty("completed").GetInt32());
            Assert.Equal(JsonValueKind.Null, done.GetProperty("error_file_id").ValueKind);
            var output = await BatchCalls.ContentAsync(http, token, done.GetProperty("output_file_id").GetString()!);

            // Exactly one answer per custom_id, and each the backend's answer to that line's request.
            Assert.Equal(Lines, output.Count);
            Assert.Equal(Enumerable.Range(1, Lines).Select(i => $"req-{i}").Order(), output.Select(l => l.GetProperty("custom_id").GetString()!).Order());
            using var direct = new HttpClient { BaseAddress = new Uri(_sim.BaseUrl + "/") };
            foreach (var line in output)
            {
                var number = int.Parse(line.GetProperty("custom_id").GetString()!["req-".Length..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(200, line.GetProperty("response").GetProperty("status_code").GetInt32());
                Assert.Equal(await DirectAnswerAsync(direct, number), Content(line.GetProperty("response").GetProperty("body")));
            }

            Assert.Equal(0, await restarted.StopAsync());
        }

        // One unrefunded charge per line in the audit trail, whatever the kill interrupted.
        var export = Path.Combine(_dir, "audit.jsonl");
        var (exit, exported) = await NodeProcess.RunAsync("audit", "export", "--config", _config, "--format", "jsonl", "-o", export);
        Assert.True(exit == 0, exported);
        var records = (await File.ReadAllLinesAsync(export)).Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(r => r.GetProperty("request_id").GetString()!.StartsWith(batchId + "-line-", StringComparison.Ordinal)).ToList();
        var admitted = records.Where(r => r.GetProperty("decision").GetString() == "admitted").ToList();
        var refunded = records.Where(r => r.GetProperty("decision").GetString() == "refunded").Select(r => r.GetProperty("request_id").GetString()).ToList();
        var net = admitted.GroupBy(r => r.GetProperty("request_id").GetString()!).ToDictionary(g => g.Key, g => g.Count() - refunded.Count(id => id == g.Key));
        Assert.Equal(Lines, net.Count);
        Assert.All(net, p => Assert.True(p.Value == 1, $"{p.Key} was charged {p.Value} times"));
        var (verifyExit, verify) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.True(verifyExit == 0, verify);
    }

    private static string Content(JsonElement body) => body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    private static async Task<string> DirectAnswerAsync(HttpClient sim, int number)
    {
        var line = JsonDocument.Parse(BatchCalls.ChatLine($"req-{number}", $"Summarise note {number} for the ward.")).RootElement;
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions")
        {
            Content = new StringContent(line.GetProperty("body").GetRawText(), Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await sim.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return Content(doc.RootElement);
    }
}

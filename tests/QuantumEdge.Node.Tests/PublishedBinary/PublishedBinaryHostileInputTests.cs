using System.Net;
using System.Net.Http.Headers;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// Hostile input on the batch and feedback endpoints through the real executable, where a probe
/// found 500s and a classification downgrade: each is a 400 that names the problem.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryHostileInputTests : IAsyncLifetime
{
    private const string Line = """{"custom_id":"ID","method":"POST","url":"/v1/chat/completions","body":{"model":"clinical-7b","messages":[{"role":"user","content":"Summarise the handover."}]}}""";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbh-" + Guid.NewGuid().ToString("N")[..12]);
    private string _config = "";
    private string _api = "";
    private SimulatedBackend _sim = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });
        _api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              id: pb-hostile
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
                allowed_classifications: [restricted, confidential, internal, public]
            """);
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Broken_strings_a_cut_upload_and_repeated_keys_are_400s_naming_the_problem()
    {
        await using var node = await NodeProcess.StartAsync(_config, _api);
        using var http = new HttpClient { BaseAddress = new Uri(_api) };
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.hostile", "doctor", "general", TimeSpan.FromMinutes(5));

        using (var surrogate = await UploadAsync(http, token, Line.Replace("\"ID\"", "\"\\ud800\"", StringComparison.Ordinal)))
        {
            await AssertRefusedAsync(surrogate, "line 1 holds a string that is not valid Unicode text");
        }

        var cut = "--XX\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n" + Line;
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/files") { Content = new StringContent(cut) })
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XX");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await http.SendAsync(request);
            await AssertRefusedAsync(answer, "the upload ended before its closing boundary");
        }

        string fileId;
        using (var good = await UploadAsync(http, token, Line.Replace("\"ID\"", "\"a\"", StringComparison.Ordinal)))
        {
            var body = await good.Content.ReadAsStringAsync();
            Assert.True(good.IsSuccessStatusCode, body);
            fileId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        }

        using (var twice = await PostJsonAsync(http, token, "/v1/batches",
            $$$"""{"input_file_id":"{{{fileId}}}","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"data_classification":"restricted","data_classification":"public"}}"""))
        {
            await AssertRefusedAsync(twice, "$.metadata.data_classification");
        }

        using (var rating = await PostJsonAsync(http, token, "/v1/feedback", """{"completion_id":"\ud800","score":0.5,"category":"chat"}"""))
        {
            await AssertRefusedAsync(rating, "not valid Unicode text");
        }

        Assert.Equal(0, await node.StopAsync());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage answer, string named)
    {
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{(int)answer.StatusCode}: {body}");
        Assert.Contains(named, body, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, string token, string jsonl)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl + "\n")), "file", "input.jsonl" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/files") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string token, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}

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
/// <c>logging.file</c> on the executable: the file (mode 0640) receives the console's JSON lines,
/// the per-request line among them, with neither the prompt nor the token, even when the console
/// speaks text.
/// </summary>
[Collection("published binary")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishedBinaryLogFileTests : IAsyncLifetime
{
    private const string Canary = "PROMPT-CANARY-file-91c2";
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-logfile-").FullName;
    private SimulatedBackend _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_log_file_gets_json_request_lines_without_prompt_or_token()
    {
        var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var config = Path.Combine(_dir, "node.yaml");
        var logFile = Path.Combine(_dir, "logs", "node.log");
        await File.WriteAllTextAsync(config, $"""
            node:
              id: file-log-node
              data_dir: {_dir}/data
            server:
              urls: {api}
              metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
            storage:
              kdf_memory_kib: 8192
              kdf_passes: 1
            logging:
              format: text
              file: {logFile}
              max_file_mb: 1
              max_files: 2
            backends:
              - id: sim
                url: {_sim.BaseUrl}
                models: [clinical-7b]
                allowed_classifications: [restricted, confidential, internal, public]
            """);
        await using var node = await NodeProcess.StartAsync(config, api);
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.file", "doctor", "icu", TimeSpan.FromMinutes(10));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, api + "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"clinical-7b","messages":[{"role":"user","content":"{{Canary}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "phi");
        using (var response = await http.SendAsync(request))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{string.Join('\n', node.Output)}");
        }

        var deadline = Stopwatch.StartNew();
        string[] lines = [];
        while (!lines.Any(l => l.Contains("\"EventId\":100", StringComparison.Ordinal)))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "no request line in the log file:\n" + string.Join('\n', lines));
            await Task.Delay(20);
            lines = File.Exists(logFile) ? await ReadShared(logFile) : [];
        }

        Assert.Equal(0, await node.StopAsync());
        lines = await ReadShared(logFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(logFile));
        Assert.Contains(lines, l => l.Contains("ready in", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            Assert.DoesNotContain(Canary, line, StringComparison.Ordinal);
            Assert.DoesNotContain(token, line, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(line);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", json.RootElement.GetProperty("Timestamp").GetString());
        }

        var requestLine = lines.Single(l => l.Contains("\"EventId\":100", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(requestLine);
        Assert.Equal("sim", doc.RootElement.GetProperty("State").GetProperty("Backend").GetString());
        // The console kept its own text format.
        Assert.DoesNotContain(node.Output, l => l.StartsWith("{\"Timestamp\"", StringComparison.Ordinal));
    }

    private static async Task<string[]> ReadShared(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

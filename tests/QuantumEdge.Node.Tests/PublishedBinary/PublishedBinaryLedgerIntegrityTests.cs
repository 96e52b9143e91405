using System.Net;
using System.Net.Http.Headers;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// Ledger integrity through the real executable (issue 7, findings 1–3): verifiers and readers never
/// write, and a signed head that proves records existed makes a missing or emptied ledger.db a hard error.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryLedgerIntegrityTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbl-" + Guid.NewGuid().ToString("N")[..12]);
    private string _config = "";
    private string _api = "";
    private SimulatedBackend _sim = null!;

    private string LedgerDir => Path.Combine(_dir, "data", "ledger");
    private string LedgerFile => Path.Combine(LedgerDir, "ledger.db");
    private string HeadFile => Path.Combine(LedgerDir, "ledger.head");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });
        var apiPort = NodeProcess.FreePort();
        _api = $"http://127.0.0.1:{apiPort}";
        _config = Path.Combine(_dir, "node.yaml");
        await File.WriteAllTextAsync(_config, $"""
            node:
              id: pb-ledger
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

    /// <summary>Runs the node once and leaves audit records (authenticated refusals are each audited).</summary>
    private async Task WriteSomeAuditRecordsAsync()
    {
        await using var node = await NodeProcess.StartAsync(_config, _api);
        using var http = new HttpClient();
        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.audit", "doctor", "general", TimeSpan.FromMinutes(5));
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _api + "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(0, await node.StopAsync());
        var (exit, output) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.True(exit == 0, output);
        Assert.Contains("audit chain OK", output, StringComparison.Ordinal);
    }

    private long HeadSeq()
    {
        using var head = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(HeadFile));
        return head.RootElement.GetProperty("seq").GetInt64();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Emptied_or_deleted_ledger_is_a_named_error_for_verify_report_export_and_serve(bool delete)
    {
        await WriteSomeAuditRecordsAsync();
        var head = await File.ReadAllBytesAsync(HeadFile);
        var seq = HeadSeq();
        Assert.True(seq >= 3, $"head seq {seq}");
        if (delete)
        {
            File.Delete(LedgerFile);
        }
        else
        {
            using var truncate = System.Diagnostics.Process.Start("truncate", ["-s", "0", LedgerFile])!;
            await truncate.WaitForExitAsync();
            Assert.Equal(0, new FileInfo(LedgerFile).Length);
        }

        var (verifyExit, verifyOut) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.True(verifyExit == 1, verifyOut);
        Assert.Contains(LedgerFile, verifyOut, StringComparison.Ordinal);
        Assert.Contains($"seq {seq}", verifyOut, StringComparison.Ordinal);
        Assert.DoesNotContain("audit chain OK", verifyOut, StringComparison.Ordinal);

        var (reportExit, reportOut) = await NodeProcess.RunAsync("privacy", "report", "--config", _config);
        Assert.True(reportExit == 1, reportOut);
        Assert.Contains(LedgerFile, reportOut, StringComparison.Ordinal);

        var exported = Path.Combine(_dir, "export.jsonl");
        var (exportExit, exportOut) = await NodeProcess.RunAsync("audit", "export", "--config", _config, "-o", exported);
        Assert.True(exportExit == 1, exportOut);
        Assert.Contains(LedgerFile, exportOut, StringComparison.Ordinal);
        Assert.False(File.Exists(exported));

        // A runtime failure of the data, not a usage or configuration error: exit 1, naming the file.
        var (serveExit, serveOut) = await NodeProcess.RunAsync("serve", "--config", _config);
        Assert.True(serveExit == 1, serveOut);
        Assert.Contains(LedgerFile, serveOut, StringComparison.Ordinal);

        Assert.Equal(head, await File.ReadAllBytesAsync(HeadFile));
        Assert.Equal(!delete, File.Exists(LedgerFile));
        Assert.True(delete || new FileInfo(LedgerFile).Length == 0);
    }

    [Fact]
    public async Task A_ledger_cut_to_its_header_is_refused_by_backup_subject_export_and_serve_and_left_as_found()
    {
        await WriteSomeAuditRecordsAsync();
        using (var file = new FileStream(LedgerFile, FileMode.Open))
        {
            file.SetLength(16384);
        }

        var damaged = await File.ReadAllBytesAsync(LedgerFile);

        var (backupExit, backupOut) = await NodeProcess.RunAsync("backup", "--out", Path.Combine(_dir, "backup"), "--config", _config);
        var (exportExit, exportOut) = await NodeProcess.RunAsync("privacy", "subject", "export", "--user", "dr.audit", "--config", _config);
        var (serveExit, serveOut) = await NodeProcess.RunAsync("serve", "--config", _config);

        foreach (var (exit, output) in new[] { (backupExit, backupOut), (exportExit, exportOut), (serveExit, serveOut) })
        {
            Assert.True(exit == 1, output);
            Assert.Contains($"'{LedgerFile}' is unreadable", output, StringComparison.Ordinal);
        }

        // LiteDB marks a file it failed to read as it closes it; the evidence stays as it was found.
        Assert.Equal(damaged, await File.ReadAllBytesAsync(LedgerFile));
    }

    [Fact]
    public async Task One_changed_byte_in_audit_record_3_makes_serve_open_read_only_and_refuse_traffic()
    {
        await WriteSomeAuditRecordsAsync();
        using (var db = new LiteDB.LiteDatabase(LedgerFile))
        {
            StoredAuditRecords.Change(db.GetCollection("audit"), 3, record =>
            {
                var rid = record["rid"].AsString;
                record["rid"] = (rid[0] == 'a' ? 'b' : 'a') + rid[1..];
            });
        }

        await using var node = await NodeProcess.StartAsync(_config, _api);
        using var http = new HttpClient();
        using (var health = await http.GetAsync(_api + "/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("\"name\":\"ledger\",\"healthy\":false", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var token = new JwtAuthenticator(new AuthSettings { JwtSecret = NodeProcess.JwtSecret }).Issue("dr.audit", "doctor", "general", TimeSpan.FromMinutes(5));
        using var request = new HttpRequestMessage(HttpMethod.Post, _api + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"clinical-7b","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "public");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("ledger_read_only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _sim.Received);

        Assert.Equal(0, await node.StopAsync());
        var (verifyExit, verifyOut) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
        Assert.Equal(1, verifyExit);
        Assert.Contains("INVALID at seq 3", verifyOut, StringComparison.Ordinal);
    }
}

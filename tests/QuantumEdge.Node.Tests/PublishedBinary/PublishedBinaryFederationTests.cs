using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Witness;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Node.Federation;

using QuantumEdge.Node.Tests.Federation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// Two federating node processes (the AOT binary in CI): keys exchanged with <c>federation pubkey</c>,
/// digests converge, a node killed with SIGKILL continues its sequence after restart (never reusing
/// a seq, so its peer does not quarantine it), and after SIGTERM <c>audit verify --witnesses</c>
/// passes on both, and fails naming the head once a peer's receipt names a head the chain no longer has.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryFederationTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pbfed-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly JwtAuthenticator _auth = new(new AuthSettings { JwtSecret = NodeProcess.JwtSecret });
    private SimulatedBackend _sim = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0 });
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed record Member(string Id, string Config, string Api, string Listen, string KeyDir);

    [Fact]
    public async Task Two_nodes_federate_survive_sigkill_without_reusing_a_seq_and_verify_their_witnesses()
    {
        var a = NewMember("hospital-a");
        var b = NewMember("hospital-b");
        foreach (var m in new[] { a, b })
        {
            var (exit, output) = await NodeProcess.RunAsync("keygen", "--output-dir", m.KeyDir);
            Assert.True(exit == 0, output);
        }

        var keyA = await PubkeyAsync(a);
        var keyB = await PubkeyAsync(b);
        await WriteConfigAsync(a, b, keyB);
        await WriteConfigAsync(b, a, keyA);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await using (var nodeB = await NodeProcess.StartAsync(b.Config, b.Api))
        {
            long seqBeforeKill;
            await using (var nodeA = await NodeProcess.StartAsync(a.Config, a.Api))
            {
                await ChatAsync(http, a);
                await ChatAsync(http, b);
                // The audit heads reach the peers with the next envelopes; their receipts come back.
                await WaitUntilAsync(async () => File.Exists(Receipts(a)) && File.Exists(Receipts(b)) && await ConvergedAsync(http, a, b),
                    "both nodes hold receipts from each other and the same digest");
                seqBeforeKill = await OwnSeqAsync(http, a);
                await nodeA.KillAsync();
            }

            await using (var restarted = await NodeProcess.StartAsync(a.Config, a.Api))
            {
                await WaitUntilAsync(async () => await SeqAtAsync(http, b, a.Id) > seqBeforeKill, "hospital-b accepts hospital-a's next envelope after the restart");
                var status = await StatusAsync(http, b);
                Assert.Empty(status.GetProperty("quarantined").EnumerateArray());
                Assert.Equal(0, await restarted.StopAsync());
            }

            Assert.Equal(0, await nodeB.StopAsync());
        }

        foreach (var m in new[] { a, b })
        {
            var (exit, output) = await NodeProcess.RunAsync("audit", "verify", "--witnesses", "--config", m.Config);
            Assert.True(exit == 0, output);
            Assert.Contains("agree with the local chain", output, StringComparison.Ordinal);
        }

        // hospital-b's genuine signature on a head beyond hospital-a's chain: what a peer would hold
        // had hospital-a's ledger been rolled back to an older backup.
        using (var identityB = NodeIdentity.Load(b.KeyDir))
        {
            var beyond = WitnessReceipt.Create(new NodeIdentitySigner(identityB), b.Id, a.Id, new AuditHead(1_000_000, new byte[AuditHead.HashSize]), DateTimeOffset.UtcNow);
            Assert.True(ReceiptLog.Open(Path.GetDirectoryName(Receipts(a))!).Add(beyond));
        }

        var (rolledBackExit, rolledBack) = await NodeProcess.RunAsync("audit", "verify", "--witnesses", "--config", a.Config);
        Assert.True(rolledBackExit == 1, rolledBack);
        Assert.Contains("RolledBack: 'hospital-b' witnessed audit seq 1000000", rolledBack, StringComparison.Ordinal);
    }

    private Member NewMember(string id)
    {
        var dir = Path.Combine(_dir, id);
        Directory.CreateDirectory(dir);
        return new Member(id, Path.Combine(dir, "node.yaml"), $"http://127.0.0.1:{NodeProcess.FreePort()}", $"http://127.0.0.1:{NodeProcess.FreePort()}",
            Path.Combine(dir, "keys"));
    }

    private string Common(Member m) => $"""
        node:
          id: {m.Id}
          data_dir: {Path.GetDirectoryName(m.Config)}/data
        server:
          urls: {m.Api}
          metrics_url: http://127.0.0.1:{NodeProcess.FreePort()}
        storage:
          node_key_dir: {m.KeyDir}
          kdf_memory_kib: 8192
          kdf_passes: 1
        backends:
          - id: sim
            url: {_sim.BaseUrl}
            models: [clinical-7b]
            allowed_classifications: [internal, public]

        """;

    private async Task<string> PubkeyAsync(Member m)
    {
        await File.WriteAllTextAsync(m.Config, Common(m));
        var (exit, output) = await NodeProcess.RunAsync("federation", "pubkey", "--config", m.Config);
        Assert.True(exit == 0, output);
        return output.Split('\n')[0].Trim();
    }

    private Task WriteConfigAsync(Member self, Member peer, string peerKey) => File.WriteAllTextAsync(self.Config, Common(self) + $"""
        federation:
          enabled: true
          federation_id: regional-health-net
          listen_url: "{self.Listen}"
          peers:
            - id: {peer.Id}
              url: "{peer.Listen}"
              public_key: "{peerKey}"
          release_interval_seconds: 5
          epsilon_per_release: 0.5
          max_epsilon_per_day: 10
          lending: {"{"} offer: true, borrow: true, max_concurrency_per_peer: 8 {"}"}
        """);

    private static string Receipts(Member m) => Path.Combine(Path.GetDirectoryName(m.Config)!, "data", "federation", "receipts.json");

    private async Task ChatAsync(HttpClient http, Member m)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, m.Api + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"clinical-7b","messages":[{"role":"user","content":"Summarise the handover."}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _auth.Issue("dr.test", "doctor", "emergency", TimeSpan.FromMinutes(10)));
        request.Headers.Add("X-Data-Classification", "public");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http, Member m)
    {
        using var doc = JsonDocument.Parse(await SignedRequests.GetStringAsync(http, m.Listen + "/federation/v1/status", m.Id, m.KeyDir));
        return doc.RootElement.Clone();
    }

    private static async Task<long> SeqAtAsync(HttpClient http, Member at, string origin)
    {
        var status = await StatusAsync(http, at);
        return status.GetProperty("origins").TryGetProperty(origin, out var o) ? o.GetProperty("seq").GetInt64() : 0;
    }

    private static Task<long> OwnSeqAsync(HttpClient http, Member m) => SeqAtAsync(http, m, m.Id);

    private static async Task<bool> ConvergedAsync(HttpClient http, Member a, Member b)
    {
        using var da = JsonDocument.Parse(await SignedRequests.GetStringAsync(http, a.Listen + "/federation/v1/digest", a.Id, a.KeyDir));
        using var db = JsonDocument.Parse(await SignedRequests.GetStringAsync(http, b.Listen + "/federation/v1/digest", b.Id, b.KeyDir));
        var oa = da.RootElement.GetProperty("origins");
        var ob = db.RootElement.GetProperty("origins");
        return oa.EnumerateObject().Count() == 2 && oa.GetRawText() == ob.GetRawText();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // A listener still starting: ask again until the deadline.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"within 90 s: {what}");
            }

            await Task.Delay(100);
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// Capacity lending between two node processes (the AOT binary in CI): hospital-a's own backend
/// is down and it borrows; hospital-b lends from a backend cleared for every class. A public
/// request is served by hospital-b's backend, a phi one never reaches it, and hospital-b's audit
/// holds the exchange under the peer's pseudonym, never hospital-a's user.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryLendingTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pblend-" + Guid.NewGuid().ToString("N")[..12]);
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

    private sealed record Member(string Id, string Config, string Api, string Metrics, string Listen, string KeyDir);

    [Fact]
    public async Task A_node_whose_backend_is_down_borrows_for_public_work_and_keeps_phi_home()
    {
        var a = NewMember("hospital-a");
        var b = NewMember("hospital-b");
        var keys = new Dictionary<string, string>();
        foreach (var m in new[] { a, b })
        {
            var (exit, output) = await NodeProcess.RunAsync("keygen", "--output-dir", m.KeyDir);
            Assert.True(exit == 0, output);
            await File.WriteAllTextAsync(m.Config, Common(m, "http://127.0.0.1:1/v1", "[internal, public]"));
            var (pubExit, pub) = await NodeProcess.RunAsync("federation", "pubkey", "--config", m.Config);
            Assert.True(pubExit == 0, pub);
            keys[m.Id] = pub.Split('\n')[0].Trim();
        }

        // hospital-a's only backend points at a closed port; hospital-b's is cleared for every class.
        await File.WriteAllTextAsync(a.Config, Common(a, $"http://127.0.0.1:{NodeProcess.FreePort()}/v1", "[internal, public]")
            + Federation(a, b, keys[b.Id], offer: false, borrow: true));
        await File.WriteAllTextAsync(b.Config, Common(b, _sim.BaseUrl, "[restricted, confidential, internal, public]")
            + Federation(b, a, keys[a.Id], offer: true, borrow: false));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await using var nodeB = await NodeProcess.StartAsync(b.Config, b.Api);
        await using var nodeA = await NodeProcess.StartAsync(a.Config, a.Api);
        await WaitUntilAsync(async () =>
        {
            // The listener's reads answer trusted peers only: ask as hospital-b, whom hospital-a trusts.
            using var status = JsonDocument.Parse(await QuantumEdge.Node.Tests.Federation.SignedRequests.GetStringAsync(http, a.Listen + "/federation/v1/status", b.Id, b.KeyDir, "regional-health-net"));
            return status.RootElement.GetProperty("origins").TryGetProperty(b.Id, out _);
        }, "hospital-a holds hospital-b's envelope and so its lending offer");

        using (var lent = await http.SendAsync(Chat(a, "public")))
        {
            Assert.Equal(HttpStatusCode.OK, lent.StatusCode);
            Assert.Equal("peer:hospital-b", lent.Headers.GetValues("X-QuantumEdge-Backend").Single());
        }

        Assert.Equal(1, _sim.Received);
        using (var phi = await http.SendAsync(Chat(a, "phi")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, phi.StatusCode);
            Assert.Contains("no_permitted_backend", await phi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(1, _sim.Received);
        Assert.Contains("quantumedge_federation_lending_served_total{peer=\"hospital-a\"} 1", await http.GetStringAsync(b.Metrics + "/metrics"), StringComparison.Ordinal);
        Assert.Contains("quantumedge_federation_lending_borrowed_total{peer=\"hospital-b\"} 1", await http.GetStringAsync(a.Metrics + "/metrics"), StringComparison.Ordinal);

        string audit = "";
        await WaitUntilAsync(async () =>
        {
            var (exit, output) = await NodeProcess.RunAsync("audit", "export", "--config", b.Config);
            audit = output;
            return exit == 0 && output.Contains("peer:hospital-a", StringComparison.Ordinal);
        }, "hospital-b's audit holds the lent request");
        Assert.Contains("\"lend:", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("dr.borrower", audit, StringComparison.Ordinal);

        Assert.Equal(0, await nodeA.StopAsync());
        Assert.Equal(0, await nodeB.StopAsync());
    }

    private Member NewMember(string id)
    {
        var dir = Path.Combine(_dir, id);
        Directory.CreateDirectory(dir);
        return new Member(id, Path.Combine(dir, "node.yaml"), $"http://127.0.0.1:{NodeProcess.FreePort()}", $"http://127.0.0.1:{NodeProcess.FreePort()}",
            $"http://127.0.0.1:{NodeProcess.FreePort()}", Path.Combine(dir, "keys"));
    }

    private static string Common(Member m, string backendUrl, string classes) => $"""
        node:
          id: {m.Id}
          data_dir: {Path.GetDirectoryName(m.Config)}/data
        server:
          urls: {m.Api}
          metrics_url: {m.Metrics}
        storage:
          node_key_dir: {m.KeyDir}
          kdf_memory_kib: 8192
          kdf_passes: 1
        backends:
          - id: sim
            url: {backendUrl}
            models: [clinical-7b]
            allowed_classifications: {classes}

        """;

    private static string Federation(Member self, Member peer, string peerKey, bool offer, bool borrow) => $"""
        federation:
          enabled: true
          federation_id: regional-health-net
          listen_url: "{self.Listen}"
          peers:
            - id: {peer.Id}
              url: "{peer.Listen}"
              public_key: "{peerKey}"
          release_interval_seconds: 5
          lending: {"{"} offer: {(offer ? "true" : "false")}, borrow: {(borrow ? "true" : "false")}, max_concurrency_per_peer: 4 {"}"}
        """;

    private HttpRequestMessage Chat(Member m, string classification)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, m.Api + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"clinical-7b","messages":[{"role":"user","content":"Explain the visiting hours policy."}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _auth.Issue("dr.borrower", "doctor", "emergency", TimeSpan.FromMinutes(10)));
        request.Headers.Add("X-Data-Classification", classification);
        return request;
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

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// The emergency procedures on the executable, as an operator runs them: <c>quantumedge admin
/// lockdown|revoke-tokens|halt|resume</c> talk to the running node over its admin socket, take
/// effect on the next request and survive a restart of the service.
/// </summary>
public sealed class PublishedBinaryEmergencyTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-emerg-").FullName;
    private readonly JwtAuthenticator _auth = new(new AuthSettings { JwtSecret = NodeProcess.JwtSecret });
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
              id: emergency-node
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
    public async Task Lockdown_revoke_and_halt_through_the_admin_socket_take_effect_and_survive_a_restart()
    {
        var doctor = _auth.Issue("dr.binary", "doctor", "er", TimeSpan.FromMinutes(30));
        var nurse = _auth.Issue("rn.binary", "nurse", "er", TimeSpan.FromMinutes(30));
        await using (var node = await NodeProcess.StartAsync(_config, _api))
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(doctor)).Status);
            var (exit, output) = await NodeProcess.RunAsync("admin", "lockdown", "on", "--reason", "drill", "--config", _config);
            Assert.True(exit == 0, output);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "node_locked_down"), await ChatAsync(doctor));

            (exit, output) = await NodeProcess.RunAsync("admin", "revoke-tokens", "--sub", "rn.binary", "--config", _config);
            Assert.True(exit == 0, output);
            (exit, output) = await NodeProcess.RunAsync("admin", "halt", "--config", _config);
            Assert.True(exit == 0, output);
            Assert.Equal(0, await node.StopAsync());
        }

        await using (var node = await NodeProcess.StartAsync(_config, _api))
        {
            var admin = _auth.Issue("it.binary", "admin", "it", TimeSpan.FromMinutes(30));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "node_halted"), await ChatAsync(admin));
            var (exit, output) = await NodeProcess.RunAsync("admin", "status", "--config", _config);
            Assert.True(exit == 0, output);
            using (var status = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]))
            {
                Assert.True(status.RootElement.GetProperty("halted").GetBoolean());
                Assert.True(status.RootElement.GetProperty("locked_down").GetBoolean());
                Assert.Equal(1, status.RootElement.GetProperty("users_revoked").GetInt32());
            }

            (exit, output) = await NodeProcess.RunAsync("admin", "resume", "--config", _config);
            Assert.True(exit == 0, output);
            (exit, output) = await NodeProcess.RunAsync("admin", "lockdown", "off", "--config", _config);
            Assert.True(exit == 0, output);
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(doctor)).Status);
            Assert.Equal((HttpStatusCode.Unauthorized, "token_revoked"), await ChatAsync(nurse));

            (exit, output) = await NodeProcess.RunAsync("audit", "verify", "--config", _config);
            Assert.True(exit == 0, output);

            var bundle = Path.Combine(_dir, "incident.json");
            (exit, output) = await NodeProcess.RunAsync("incident", "collect", "--since", "1h", "-o", bundle, "--config", _config);
            Assert.True(exit == 0, output);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bundle));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bundle + ".sig"));
            }

            var report = Path.Combine(_dir, "privacy-report.txt");
            (exit, output) = await NodeProcess.RunAsync("privacy", "report", "--incident-mode", "-o", report, "--config", _config);
            Assert.True(exit == 0, output);
            Assert.Contains("user=", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(report));
            }

            (exit, output) = await NodeProcess.RunAsync("incident", "verify", bundle, "--config", _config);
            Assert.True(exit == 0, output);
            Assert.Contains("signature OK", output, StringComparison.Ordinal);
            var bytes = await File.ReadAllBytesAsync(bundle);
            bytes[bytes.Length / 3] ^= 1;
            await File.WriteAllBytesAsync(bundle, bytes);
            (exit, output) = await NodeProcess.RunAsync("incident", "verify", bundle, "--config", _config);
            Assert.Equal(1, exit);
            Assert.Contains("does not verify", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Incident_verify_names_a_missing_bundle_key_or_signature_as_what_is_missing()
    {
        var missing = Path.Combine(_dir, "no-such-bundle.json");
        var (exit, output) = await NodeProcess.RunAsync("incident", "verify", missing, "--config", _config);
        Assert.Equal(2, exit);
        Assert.Contains($"the incident bundle '{missing}' does not exist", output, StringComparison.Ordinal);
        Assert.DoesNotContain(".sig", output, StringComparison.Ordinal);

        (exit, output) = await NodeProcess.RunAsync("incident", "verify", _dir, "--config", _config);
        Assert.Equal(2, exit);
        Assert.Contains("is a directory, not an incident bundle", output, StringComparison.Ordinal);

        // The node never ran with this configuration, so its generated key does not exist yet.
        var bundle = Path.Combine(_dir, "bundle.json");
        await File.WriteAllTextAsync(bundle, "{}");
        (exit, output) = await NodeProcess.RunAsync("incident", "verify", bundle, "--config", _config);
        Assert.Equal(2, exit);
        Assert.Contains("quantum_public.pem' does not exist", output, StringComparison.Ordinal);
        Assert.Contains("--public-key", output, StringComparison.Ordinal);

        var keys = Path.Combine(_dir, "keys");
        (exit, output) = await NodeProcess.RunAsync("keygen", "--output-dir", keys);
        Assert.True(exit == 0, output);
        (exit, output) = await NodeProcess.RunAsync("incident", "verify", bundle, "--public-key", Path.Combine(keys, "quantum_public.pem"));
        Assert.Equal(1, exit);
        Assert.Contains($"{bundle}.sig does not exist", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_and_a_stopped_node_are_refused_with_a_clear_message()
    {
        var (exit, output) = await NodeProcess.RunAsync("admin", "revoke-tokens", "--before", "yesterday", "--config", _config);
        Assert.Equal(2, exit);
        Assert.Contains("RFC 3339", output, StringComparison.Ordinal);

        (exit, output) = await NodeProcess.RunAsync("admin", "lockdown", "maybe", "--config", _config);
        Assert.Equal(2, exit);
        Assert.Contains("on or off", output, StringComparison.Ordinal);

        (exit, output) = await NodeProcess.RunAsync("admin", "halt", "--config", _config);
        Assert.Equal(1, exit);
        Assert.Contains("no node is running", output, StringComparison.Ordinal);

        (exit, output) = await NodeProcess.RunAsync("admin", "notify-compliance", "--severity", "urgent", "--message", "x", "--config", _config);
        Assert.Equal(2, exit);
        Assert.Contains("info, warning, critical", output, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, string? Code)> ChatAsync(string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _api + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"clinical-7b","messages":[{"role":"user","content":"Summarise the handover."}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "public");
        using var response = await http.SendAsync(request);
        if (response.IsSuccessStatusCode)
        {
            return (response.StatusCode, null);
        }

        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}

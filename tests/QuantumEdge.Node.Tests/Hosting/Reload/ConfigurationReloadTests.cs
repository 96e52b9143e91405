using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Ledger;
using QuantumEdge.Node.Hosting;
using QuantumEdge.Node.Hosting.Reload;

namespace QuantumEdge.Node.Tests.Hosting.Reload;

/// <summary>
/// A running node re-reads its configuration file: backends and roles change in place, keys that
/// need a restart are reported and left alone, a bad file is refused with the old configuration
/// kept, and every outcome is in the signed audit chain.
/// </summary>
public sealed class ConfigurationReloadTests : IAsyncLifetime
{
    private const string Secret = "reload-test-secret-that-is-long-enough-0123456789";
    private const string MasterKey = "krnm8cQPQXxP23T0w1pe56zW0Ma8JGJ6QeKMIyM0k7k=";
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-reload-").FullName;
    private readonly JwtAuthenticator _auth = new(new AuthSettings { JwtSecret = Secret });
    private SimulatedBackend _first = null!;
    private SimulatedBackend _second = null!;
    private string _path = "";
    private string _api = "";
    private GatewayNode _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _first = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "first", Models = ["model-a"], TimeScale = 0 });
        _second = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "second", Models = ["model-b"], TimeScale = 0 });
        _path = Path.Combine(_dir, "node.yaml");
        _api = "http://127.0.0.1:" + PublishedBinary.NodeProcess.FreePort();
        await WriteConfig(Backend("first", _first, "model-a"));
        _node = GatewayNode.Create(ConfigurationLoader.LoadFile(_path, Environment), new NodeHostOptions { Quiet = true, Environment = Environment });
        await _node.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_node.ApiAddress), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_backend_added_by_reload_becomes_routable_and_the_reload_is_audited_with_the_config_hash()
    {
        Assert.NotEqual(HttpStatusCode.OK, await Complete("model-b", "doctor"));

        await WriteConfig(Backend("first", _first, "model-a") + Backend("second", _second, "model-b"));
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.True(outcome.Applied, outcome.Summary);
        Assert.Contains("backends +second", outcome.Summary, StringComparison.Ordinal);
        Assert.Empty(outcome.NeedsRestart);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-b", "doctor"));
        Assert.Equal(1, _second.Succeeded);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));

        // The hash is of the file as check-config prints it, so an operator can match the two.
        var printed = ConfigurationPrinter.Print(ConfigurationLoader.LoadFile(_path, Environment));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(printed))), outcome.ConfigSha256);
        var audit = await AuditRecord(outcome.AuditSeq);
        Assert.Equal(ReloadAuditDecisions.Applied, audit.Entry.Decision);
        Assert.Contains(outcome.ConfigSha256!, audit.Entry.Detail, StringComparison.Ordinal);
        Assert.True((await _node.Ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_removed_backend_stops_receiving_new_requests()
    {
        await using var other = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "other", Models = ["model-a"], TimeScale = 0 });
        await WriteConfig(Backend("first", _first, "model-a") + Backend("other", other, "model-a"));
        Assert.True((await _node.Reloader.ReloadAsync("test")).Applied);
        await WriteConfig(Backend("other", other, "model-a"));
        var outcome = await _node.Reloader.ReloadAsync("test");
        Assert.Contains("-first", outcome.Summary, StringComparison.Ordinal);

        var before = _first.Received;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
        }

        Assert.Equal(before, _first.Received);
        Assert.Equal(5, other.Succeeded);
        Assert.DoesNotContain(_node.Backends.All, b => b.Id == "first");
    }

    [Fact]
    public async Task A_role_change_applies_to_the_next_request()
    {
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "researcher"));

        await WriteConfig(Backend("first", _first, "model-a"), """
            security:
              role_permissions:
                doctor: [query]
                researcher: [measurement]
            """);
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.True(outcome.Applied, outcome.Summary);
        Assert.Contains("role_permissions changed", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, await Complete("model-a", "researcher"));
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
    }

    [Fact]
    public async Task Privacy_budgets_change_in_place_and_what_was_spent_stays_spent()
    {
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor", classification: "phi"));
        var before = await _node.Ledger.GetBudgetAsync("dr.reload", "icu");
        Assert.True(before.Spent > 0);

        await WriteConfig(Backend("first", _first, "model-a"), """
            privacy:
              max_budget_per_user: 2.5
              department_budgets:
                icu: 1.5
            """);
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.True(outcome.Applied, outcome.Summary);
        Assert.Contains("privacy budgets changed", outcome.Summary, StringComparison.Ordinal);
        Assert.Empty(outcome.NeedsRestart);
        var after = await _node.Ledger.GetBudgetAsync("dr.reload", "icu");
        Assert.Equal(1.5, after.Budget);
        Assert.Equal(before.Spent, after.Spent);
        Assert.Equal(2.5, (await _node.Ledger.GetBudgetAsync("someone.else")).Budget);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
    }

    [Fact]
    public async Task An_emptied_file_is_refused_and_the_node_keeps_its_backends()
    {
        var before = _node.Reloader.Current;
        await File.WriteAllTextAsync(_path, "");
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.False(outcome.Applied);
        Assert.Contains("holds no settings", outcome.Summary, StringComparison.Ordinal);
        Assert.Same(before, _node.Reloader.Current);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
    }

    [Fact]
    public async Task A_file_with_an_unclosed_bracket_is_refused_at_the_bracket_and_the_reload_does_not_throw()
    {
        var before = _node.Reloader.Current;
        // A typo an editor leaves easily; the YAML library throws InvalidOperationException on it, not YamlException.
        await File.WriteAllTextAsync(_path, $"""
            node:
              data_dir: {_dir}/data
            backends:
              - id: first
                models: [model-a
                url: http://127.0.0.1:1/v1
            """);
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.False(outcome.Applied);
        Assert.Contains("line 5, column 13: this '[' or '{' is not closed", outcome.Summary, StringComparison.Ordinal);
        Assert.Same(before, _node.Reloader.Current);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
    }

    [Fact]
    public async Task An_invalid_file_is_refused_and_the_running_configuration_is_kept()
    {
        var before = _node.Reloader.Current;
        await File.WriteAllTextAsync(_path, $"""
            node:
              data_dir: {_dir}/data
            backends:
              - id: first
                url: not-a-url
                models: [model-a]
            """);
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.False(outcome.Applied);
        Assert.Contains("backends[0].url", outcome.Summary, StringComparison.Ordinal);
        Assert.Same(before, _node.Reloader.Current);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
        var audit = await AuditRecord(outcome.AuditSeq);
        Assert.Equal(ReloadAuditDecisions.Refused, audit.Entry.Decision);
        Assert.Contains("backends[0].url", audit.Entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_that_need_a_restart_are_reported_and_not_applied()
    {
        var otherPort = PublishedBinary.NodeProcess.FreePort();
        await WriteConfig(Backend("first", _first, "model-a"), urls: "http://127.0.0.1:" + otherPort, extra: """
            logging:
              level: debug
            """);
        var outcome = await _node.Reloader.ReloadAsync("test");

        Assert.True(outcome.Applied, outcome.Summary);
        Assert.Equal(new[] { "logging", "server" }, outcome.NeedsRestart);
        Assert.Contains("needs restart: logging, server", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(_api, _node.ApiAddress);
        Assert.Equal(HttpStatusCode.OK, await Complete("model-a", "doctor"));
        Assert.Equal("information", _node.Reloader.Current.Logging.Level);
    }

    [Fact]
    public async Task A_request_in_flight_on_a_removed_backend_completes()
    {
        await using var slow = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "slow", Models = ["model-s"], TimeScale = 1 });
        await WriteConfig(Backend("first", _first, "model-a") + Backend("slow", slow, "model-s"));
        Assert.True((await _node.Reloader.ReloadAsync("test")).Applied);

        var inFlight = Complete("model-s", "doctor", maxTokens: 200);
        var deadline = Stopwatch.StartNew();
        while (slow.Running == 0 && !inFlight.IsCompleted)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the request never reached the slow backend");
            await Task.Delay(2);
        }

        Assert.False(inFlight.IsCompleted, "the simulated backend answered before the reload could race it");
        await WriteConfig(Backend("first", _first, "model-a"));
        Assert.Contains("-slow", (await _node.Reloader.ReloadAsync("test")).Summary, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await inFlight);
        Assert.NotEqual(HttpStatusCode.OK, await Complete("model-s", "doctor"));
    }

    private static string? Environment(string name) => name switch
    {
        "JWT_SECRET" => Secret,
        "MASTER_KEY" => MasterKey,
        _ => null,
    };

    private static string Backend(string id, SimulatedBackend sim, string model) => $"""
          - id: {id}
            url: {sim.BaseUrl}
            models: [{model}]
            allowed_classifications: [restricted, confidential, internal, public]

        """;

    private Task WriteConfig(string backends, string extra = "", string? urls = null) => File.WriteAllTextAsync(_path, $"""
        node:
          id: reload-node
          data_dir: {_dir}/data
        server:
          urls: {urls ?? _api}
          metrics_url: http://127.0.0.1:0
        storage:
          kdf_memory_kib: 8192
          kdf_passes: 1
        {extra}
        backends:
        {backends}
        """);

    private async Task<HttpStatusCode> Complete(string model, string role, int maxTokens = 8, string classification = "internal")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _auth.Issue("dr.reload", role, "icu", TimeSpan.FromMinutes(5)));
        request.Headers.Add("X-Data-Classification", classification);
        using var response = await _http.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return response.StatusCode;
    }

    private async Task<QuantumEdge.Ledger.Audit.AuditRecord> AuditRecord(long? seq)
    {
        Assert.NotNull(seq);
        var records = await _node.Ledger.ReadAuditAsync(seq.Value - 1, 1);
        return Assert.Single(records);
    }
}

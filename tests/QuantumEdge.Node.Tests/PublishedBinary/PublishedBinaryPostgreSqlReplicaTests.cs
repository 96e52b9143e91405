using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.PublishedBinary;

/// <summary>
/// Issue 13: three node processes of the real executable (the AOT binary in CI) sharing one real
/// PostgreSQL ledger. One user's budget is granted once across the replicas, a replica killed with
/// SIGKILL mid-burst loses no acknowledged charge, every replica's audit chain verifies, and with the
/// database stopped mid-load charged requests get 503 <c>ledger_unavailable</c> (nothing forwarded)
/// until it returns, when the replicas recover without a restart.
/// </summary>
[Collection("published binary")]
public sealed class PublishedBinaryPostgreSqlReplicaTests : IAsyncLifetime
{
    private const int Replicas = 3;
    private const int Budget = 30;
    private const string ConnectionVariable = "QE_LEDGER_DB";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-pb-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly JwtAuthenticator _auth = new(new AuthSettings { JwtSecret = NodeProcess.JwtSecret });
    private readonly List<Replica> _replicas = [];
    private TemporaryPostgres _postgres = null!;
    private SimulatedBackend _sim = null!;

    private sealed record Replica(string Id, string Config, string Api, string Metrics)
    {
        public NodeProcess? Process { get; set; }
    }

    private Dictionary<string, string> Environment => new() { [ConnectionVariable] = _postgres.ConnectionString };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _postgres = await TemporaryPostgres.CreateAsync();
        _sim = await SimulatedBackend.StartAsync(new SimulatedBackendOptions { Name = "sim", TimeScale = 0.02, MaxConcurrency = 512 });
        var keys = Path.Combine(_dir, "keys");
        var (exit, output) = await NodeProcess.RunAsync("keygen", "--output-dir", keys);
        Assert.True(exit == 0, output);
        for (var i = 0; i < Replicas; i++)
        {
            var id = $"router-{i}";
            var api = $"http://127.0.0.1:{NodeProcess.FreePort()}";
            var metrics = $"http://127.0.0.1:{NodeProcess.FreePort()}";
            var config = Path.Combine(_dir, id + ".yaml");
            // The replicas share the database, MASTER_KEY and node key; each has its own data dir and chain.
            await File.WriteAllTextAsync(config, $"""
                node:
                  id: hospital-router
                  data_dir: {_dir}/{id}
                server:
                  urls: {api}
                  metrics_url: {metrics}
                storage:
                  backend: postgresql
                  node_key_dir: {keys}
                  kdf_memory_kib: 8192
                  kdf_passes: 1
                  postgresql:
                    connection_string_env: {ConnectionVariable}
                    replica_id: {id}
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
            _replicas.Add(new Replica(id, config, api, metrics));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var r in _replicas)
        {
            if (r.Process is { } p)
            {
                await p.DisposeAsync();
            }
        }

        await _sim.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task StartAllAsync()
    {
        // One at a time: the first creates the schema, the others find it (concurrent creation is the ledger's own test).
        foreach (var r in _replicas)
        {
            r.Process = await NodeProcess.StartAsync(r.Config, r.Api, environment: Environment);
        }
    }

    [Fact]
    public async Task One_budget_across_three_replicas_150_concurrent_phi_requests_get_exactly_30_answers()
    {
        await StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var token = _auth.Issue("dr.shared", "doctor", "general", TimeSpan.FromMinutes(10));

        var statuses = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => SendAsync(http, _replicas[i % Replicas], token)));

        Assert.Equal(Budget, statuses.Count(s => s.Status == HttpStatusCode.OK));
        Assert.Equal(150 - Budget, statuses.Count(s => s.Status == HttpStatusCode.TooManyRequests));
        foreach (var r in _replicas)
        {
            Assert.Equal(Budget, await QueriesAsync(http, r, token));
        }

        await StopAllAsync();
        await VerifyAllChainsAsync();
    }

    [Fact]
    public async Task A_replica_killed_mid_burst_loses_no_acknowledged_charge_and_the_budget_holds()
    {
        await StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var token = _auth.Issue("dr.crash", "doctor", "general", TimeSpan.FromMinutes(10));
        var acknowledged = 0;
        using var enough = new SemaphoreSlim(0);
        var load = Enumerable.Range(0, 150).Select(async i =>
        {
            try
            {
                if ((await SendAsync(http, _replicas[i % Replicas], token)).Status == HttpStatusCode.OK && Interlocked.Increment(ref acknowledged) == 12)
                {
                    enough.Release();
                }
            }
            catch (HttpRequestException)
            {
                // In flight on the killed replica: never acknowledged.
            }
            catch (TaskCanceledException)
            {
            }
        }).ToList();
        Assert.True(await enough.WaitAsync(TimeSpan.FromSeconds(60)), "the replicas never answered 12 charged requests");
        await _replicas[1].Process!.KillAsync();
        await Task.WhenAll(load);

        var acknowledgedBeforeAndAfter = Volatile.Read(ref acknowledged);
        var survivor = _replicas[0];
        var recorded = await QueriesAsync(http, survivor, token);
        Assert.True(recorded >= acknowledgedBeforeAndAfter, $"ledger holds {recorded} charges but {acknowledgedBeforeAndAfter} were acknowledged");
        Assert.True(recorded <= Budget, $"budget exceeded: {recorded} charges");

        // What is left of the day's budget is exactly what the ledger says: the survivors grant the rest, no more.
        var more = 0;
        for (var i = 0; ; i++)
        {
            var r = await SendAsync(http, _replicas[i % 2 == 0 ? 0 : 2], token);
            if (r.Status != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, r.Status);
                break;
            }

            more++;
            Assert.True(more <= Budget, "never refused");
        }

        Assert.Equal(Budget, recorded + more);
        await StopAllAsync();
        await VerifyAllChainsAsync();
    }

    [Fact]
    public async Task With_the_database_stopped_mid_load_charged_requests_get_503_and_the_replicas_recover_without_a_restart()
    {
        await StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var token = _auth.Issue("dr.outage", "doctor", "general", TimeSpan.FromMinutes(10));
        var ok = 0;
        var unavailable = 0;
        var exhausted = 0;
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stopLoad = new CancellationTokenSource();
        // Steady load across the replicas through the outage: every answer is 200, 429 or 503 ledger_unavailable.
        var load = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                var r = await SendAsync(http, _replicas[(w + i) % Replicas], token);
                if (r.Status == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref ok);
                }
                else if (r.Status == HttpStatusCode.ServiceUnavailable && r.Code == "ledger_unavailable")
                {
                    Interlocked.Increment(ref unavailable);
                }
                else if (r.Status == HttpStatusCode.TooManyRequests)
                {
                    // The budget is spent (the AOT replicas can spend it before the database stops); the load goes on,
                    // so that it meets the outage whenever it comes.
                    Interlocked.Increment(ref exhausted);
                }
                else
                {
                    unexpected.Enqueue($"{(int)r.Status} {r.Code}");
                }
            }
        })).ToList();
        await WaitUntilAsync(() => Volatile.Read(ref ok) >= 5, "no request was answered before the outage");

        await _postgres.StopAsync();
        foreach (var r in _replicas)
        {
            var refused = await SendAsync(http, r, token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.Equal("ledger_unavailable", refused.Code);
            Assert.NotNull(refused.RetryAfter);
            using var ready = await http.GetAsync(r.Api + "/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("ledger", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await MetricAsync(http, r, "quantumedge_ledger_available"));
        }

        // Every replica has seen the outage: from here no charged request is answered or forwarded until the database returns.
        var okWhileDown = Volatile.Read(ref ok);
        var forwardedWhileDown = _sim.Received;
        var refusedWhileDown = Volatile.Read(ref unavailable);
        for (var i = 0; i < 3 * Replicas; i++)
        {
            Assert.Equal("ledger_unavailable", (await SendAsync(http, _replicas[i % Replicas], token)).Code);
        }

        await WaitUntilAsync(() => Volatile.Read(ref unavailable) > refusedWhileDown + 20, "the load saw no 503 while the database was down");
        Assert.Equal(okWhileDown, Volatile.Read(ref ok));
        Assert.Equal(forwardedWhileDown, _sim.Received);

        await _postgres.StartAsync();
        foreach (var r in _replicas)
        {
            await WaitUntilAsync(async () =>
            {
                using var ready = await http.GetAsync(r.Api + "/health/ready");
                return ready.StatusCode == HttpStatusCode.OK;
            }, $"{r.Id} did not become ready again after the database returned");
        }

        // The load runs on until it has spent the budget again after the outage (a 429 seen after every replica is ready).
        var exhaustedAtRecovery = Volatile.Read(ref exhausted);
        await WaitUntilAsync(() => Volatile.Read(ref exhausted) > exhaustedAtRecovery, "the load never reached the end of the budget after the database returned");
        stopLoad.Cancel();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Empty(unexpected);
        Assert.True(Volatile.Read(ref ok) <= Budget, $"budget exceeded: {ok} answers");
        // The rest of the budget, and no more, is granted after the outage.
        var more = 0;
        while ((await SendAsync(http, _replicas[more % Replicas], token)).Status == HttpStatusCode.OK)
        {
            more++;
            Assert.True(more <= Budget, "never refused");
        }

        // A charge whose commit the outage cut off may be spent without an answer (never the reverse):
        // answers never exceed the budget, and the ledger holds exactly the budget.
        Assert.True(Volatile.Read(ref ok) + more <= Budget, $"budget exceeded: {ok + more} answers");
        Assert.True(Volatile.Read(ref ok) + more >= Budget - 6, $"{Budget - ok - more} charges spent without an answer (at most one per load worker)");
        foreach (var r in _replicas)
        {
            Assert.Equal(Budget, await QueriesAsync(http, r, token));
            Assert.Equal(1, await MetricAsync(http, r, "quantumedge_ledger_available"));
        }

        await StopAllAsync();
        await VerifyAllChainsAsync();
    }

    private async Task StopAllAsync()
    {
        foreach (var r in _replicas)
        {
            if (r.Process is { HasExited: false } p)
            {
                Assert.Equal(0, await p.StopAsync());
            }
        }
    }

    private async Task VerifyAllChainsAsync()
    {
        // Any replica's configuration reaches the shared database: one verification checks every chain.
        var (exit, output) = await NodeProcess.RunAsync(Environment, "audit", "verify", "--config", _replicas[0].Config);
        Assert.True(exit == 0, output);
        Assert.Contains("audit chain OK", output, StringComparison.Ordinal);
        // One signed head per chain, and the chains are the three replicas'.
        Assert.Contains($", {Replicas} signed checkpoints", output, StringComparison.Ordinal);
        var chains = await _postgres.PsqlAsync("SELECT chain FROM qe_chains ORDER BY chain");
        Assert.Equal(_replicas.Select(r => r.Id), chains.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private sealed record Answer(HttpStatusCode Status, string? Code, string? RetryAfter);

    private static async Task<Answer> SendAsync(HttpClient http, Replica replica, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, replica.Api + "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"clinical-7b","max_tokens":4,"messages":[{"role":"user","content":"Summarise."}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Data-Classification", "phi");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? code = null;
        if (!response.IsSuccessStatusCode && body.StartsWith('{'))
        {
            using var doc = JsonDocument.Parse(body);
            code = doc.RootElement.TryGetProperty("error", out var e) && e.TryGetProperty("code", out var c) ? c.GetString() : null;
        }

        return new Answer(response.StatusCode, code, response.Headers.RetryAfter?.ToString());
    }

    private static async Task<long> QueriesAsync(HttpClient http, Replica replica, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, replica.Api + "/privacy/budgets");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("data")[0].GetProperty("queries").GetInt64();
    }

    private static async Task<double> MetricAsync(HttpClient http, Replica replica, string name)
    {
        var text = await http.GetStringAsync(replica.Metrics + "/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }
}

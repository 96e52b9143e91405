using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.CircuitBreaker;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// One configured LLM backend at run time: its connection pool, concurrency slots, circuit
/// breaker, last health probe and last reading of its own load gauges.
/// </summary>
public sealed class Backend : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly HashSet<string> _models;
    private int _inFlight;
    private long _requests;
    private double _latencyEwmaMs;

    public Backend(BackendSettings settings, TimeSpan circuitBreak, Func<string, string?>? environment = null)
    {
        Settings = settings;
        _slots = new SemaphoreSlim(settings.MaxConcurrency, settings.MaxConcurrency);
        _models = new HashSet<string>(settings.Models, StringComparer.Ordinal);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = Math.Max(settings.MaxConcurrency * 2, 4),
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(5, settings.TimeoutSeconds)),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
        };
        Client = new HttpClient(handler) { BaseAddress = settings.Url, Timeout = Timeout.InfiniteTimeSpan };
        if (settings.ApiKeyEnv is { } keyVar && (environment ?? Environment.GetEnvironmentVariable)(keyVar) is { Length: > 0 } key)
        {
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = circuitBreak,
                StateProvider = _circuit,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(r => (int)r.StatusCode >= 500),
            })
            .Build();
    }

    public BackendSettings Settings { get; }
    public string Id => Settings.Id;
    public HttpClient Client { get; }
    public int InFlight => Volatile.Read(ref _inFlight);
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Exponentially weighted time to response headers, in ms (0 until the first answer).</summary>
    public double LatencyEwmaMs => Volatile.Read(ref _latencyEwmaMs);
    /// <summary>False after a failed health probe, until one succeeds.</summary>
    public bool Healthy { get; set; } = true;
    public string HealthDetail { get; set; } = "not probed yet";
    public BackendLoad? ExternalLoad { get; set; }
    public bool CircuitOpen => _circuit.CircuitState is CircuitState.Open or CircuitState.Isolated;

    public bool Serves(string model) => _models.Contains(model);

    public bool Permits(DataClassification classification) => Settings.AllowedClassifications.Contains(classification);

    /// <summary>
    /// Load as a fraction of capacity: the larger of our in-flight count and the backend's own
    /// running count, plus its queue, plus a share for a nearly full KV cache.
    /// </summary>
    public double LoadFraction
    {
        get
        {
            var ours = (double)InFlight;
            var load = ExternalLoad;
            var stale = load is null || DateTimeOffset.UtcNow - load.Value.ReadAt > TimeSpan.FromSeconds(30);
            var running = stale ? ours : Math.Max(ours, load!.Value.Running);
            var waiting = stale ? 0 : load!.Value.Waiting;
            var kv = stale ? 0 : load!.Value.KvCacheUsage;
            return (running + waiting) / Settings.MaxConcurrency + (0.5 * kv);
        }
    }

    /// <summary>Waits for a concurrency slot; false when none frees up in time.</summary>
    public async ValueTask<bool> TryAcquireAsync(TimeSpan wait, CancellationToken ct)
    {
        if (!await _slots.WaitAsync(wait, ct).ConfigureAwait(false))
        {
            return false;
        }

        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requests);
        return true;
    }

    public void Release()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    /// <summary>Sends through the circuit breaker; throws <see cref="BrokenCircuitException"/> while it is open.</summary>
    public async ValueTask<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var response = await _pipeline.ExecuteAsync(
            static async (state, token) => await state.Client.SendAsync(state.request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false),
            (Client, request),
            ct).ConfigureAwait(false);
        var ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var old = LatencyEwmaMs;
        Volatile.Write(ref _latencyEwmaMs, old == 0 ? ms : (0.8 * old) + (0.2 * ms));
        return response;
    }

    public void Dispose()
    {
        Client.Dispose();
        _slots.Dispose();
    }
}

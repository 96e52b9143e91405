using Microsoft.Extensions.Logging;
using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Ledger;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// Whether the ledger's store can be reached now. A shared database that goes away turns this
/// false at the first <see cref="LedgerUnavailableException"/>; from then on charged requests are
/// refused at once (503 <c>ledger_unavailable</c>) instead of each waiting on a dead connection, the
/// readiness probe says why, and a probe asks the ledger once per <see cref="ProbeInterval"/> until it
/// answers, which turns this true again: the node recovers without a restart. The embedded LiteDB
/// ledger never reports itself unavailable, so for it this stays true.
/// </summary>
public sealed class LedgerAvailability : IAsyncDisposable
{
    // A read the engine must answer from its store (a pseudonymous id that is no one's).
    private const string ProbeUser = "(ledger-availability-probe)";

    private readonly IPrivacyLedger _ledger;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Gauge _available;
    private readonly Counter _outages;
    private readonly Counter _refused;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task _probe = Task.CompletedTask;
    private string? _problem;

    /// <summary>Creates the tracker; the ledger starts out available.</summary>
    public LedgerAvailability(IPrivacyLedger ledger, bool serveFreeRequestsWhileUnavailable, CollectorRegistry registry, ILogger logger,
        TimeSpan? probeInterval = null, TimeProvider? time = null)
    {
        _ledger = ledger;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        ServeFreeRequestsWhileUnavailable = serveFreeRequestsWhileUnavailable;
        ProbeInterval = probeInterval ?? TimeSpan.FromSeconds(1);
        var f = NodeMetricFactory.For(registry);
        _available = f.CreateGauge("quantumedge_ledger_available", "1 while the privacy ledger's store answers; 0 while it is unreachable and charged requests get 503 ledger_unavailable.");
        _outages = f.CreateCounter("quantumedge_ledger_unavailable_total", "Times the privacy ledger's store became unreachable.");
        _refused = f.CreateCounter("quantumedge_ledger_unavailable_refusals_total", "Requests refused with 503 ledger_unavailable because the ledger's store was unreachable.");
        _available.Set(1);
    }

    /// <summary>True unless the store was found unreachable and has not answered a probe since.</summary>
    public bool Available => Volatile.Read(ref _problem) is null;

    /// <summary>Why the store is unavailable (the engine's message, naming no secret), or null.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary><c>storage.postgresql.serve_free_requests_while_unavailable</c>.</summary>
    public bool ServeFreeRequestsWhileUnavailable { get; }

    /// <summary>How often an unavailable store is asked again.</summary>
    public TimeSpan ProbeInterval { get; }

    /// <summary>The <c>Retry-After</c> a refused caller is given: the next probe.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(ProbeInterval.TotalSeconds));

    /// <summary>The store could not be reached: refuse charged work and probe until it answers.</summary>
    public void ReportUnavailable(LedgerUnavailableException e)
    {
        lock (_lock)
        {
            if (_problem is not null || _stopping.IsCancellationRequested)
            {
                return;
            }

            _problem = e.Message;
            _available.Set(0);
            _outages.Inc();
            _logger.LogError("the privacy ledger's store is unreachable; charged requests get 503 ledger_unavailable until it answers again: {Error}", e.Message);
            _probe = Task.Run(() => ProbeUntilAvailableAsync(_stopping.Token), CancellationToken.None);
        }
    }

    /// <summary>Counts a request refused because the store is unreachable.</summary>
    internal void CountRefusal() => _refused.Inc();

    /// <summary>
    /// Refuses a request the ledger cannot take because its store is unreachable, as the inference path
    /// does: reports <paramref name="cause"/> (when the caller met the outage itself), counts the refusal in
    /// <c>quantumedge_ledger_unavailable_refusals_total</c> and returns the 503 <c>ledger_unavailable</c> with
    /// <c>Retry-After</c> to answer with.
    /// </summary>
    public GatewayError Refuse(LedgerUnavailableException? cause = null)
    {
        if (cause is not null)
        {
            ReportUnavailable(cause);
        }

        CountRefusal();
        return PrivacyLedgerGate.UnavailableRefusal(RetryAfterSeconds);
    }

    private async Task ProbeUntilAvailableAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, _time, ct).ConfigureAwait(false);
                await _ledger.GetBudgetAsync(ProbeUser, null, ct).ConfigureAwait(false);
                lock (_lock)
                {
                    var since = _problem;
                    _problem = null;
                    _available.Set(1);
                    _logger.LogInformation("the privacy ledger's store answers again; charged requests are served (it was unavailable: {Error})", since);
                }

                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (LedgerUnavailableException e)
            {
                Volatile.Write(ref _problem, e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Reachable but failing otherwise: stay unavailable, say so, keep probing.
                _logger.LogError("the privacy ledger's availability probe failed: {Error}", e.Message);
            }
        }
    }

    /// <summary>Stops probing.</summary>
    public async ValueTask DisposeAsync()
    {
        Task probe;
        lock (_lock)
        {
            _stopping.Cancel();
            probe = _probe;
        }

        await probe.ConfigureAwait(false);
        _stopping.Dispose();
    }
}

using System.Globalization;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Hosting.Systemd;

/// <summary>
/// What systemd hears from a node it supervises (<c>Type=notify</c>): <c>READY=1</c> once the API,
/// the metrics listener and the ledger serve, <c>WATCHDOG=1</c> from <see cref="WatchdogService"/>
/// while <c>WATCHDOG_USEC</c> is set, and <c>STOPPING=1</c> when shutdown begins.
/// </summary>
internal sealed class SystemdSupervision : IAsyncDisposable
{
    private readonly SystemdNotifier _notifier;
    private readonly TimeSpan? _watchdogInterval;
    private readonly IPrivacyLedger _ledger;
    private readonly ReloadingCertificate? _apiCertificate;
    private readonly ILogger _logger;
    private WatchdogService? _watchdog;
    private HttpClient? _probeClient;

    private SystemdSupervision(SystemdNotifier notifier, TimeSpan? watchdogInterval, IPrivacyLedger ledger, ReloadingCertificate? apiCertificate, ILogger logger)
    {
        _notifier = notifier;
        _watchdogInterval = watchdogInterval;
        _ledger = ledger;
        _apiCertificate = apiCertificate;
        _logger = logger;
    }

    /// <summary>The watchdog, once started (null without <c>WATCHDOG_USEC</c>).</summary>
    public WatchdogService? Watchdog => _watchdog;

    /// <summary>Null when the node runs without <c>NOTIFY_SOCKET</c>.</summary>
    public static SystemdSupervision? Create(Func<string, string?> environment, IPrivacyLedger ledger, ReloadingCertificate? apiCertificate, ILogger logger)
    {
        var notifier = SystemdNotifier.FromEnvironment(environment);
        return notifier is null
            ? null
            : new SystemdSupervision(notifier, SystemdNotifier.WatchdogInterval(environment, Environment.ProcessId), ledger, apiCertificate, logger);
    }

    /// <summary>Tells systemd the node serves, then starts the watchdog pings.</summary>
    public async Task ReadyAsync(string apiAddress, CancellationToken ct)
    {
        _notifier.Notify(string.Create(CultureInfo.InvariantCulture, $"READY=1\nSTATUS=serving on {apiAddress}\nMAINPID={Environment.ProcessId}"));
        if (_watchdogInterval is not { } usec)
        {
            return;
        }

        // Half the interval, as sd_watchdog_enabled(3) advises, so one late round is not yet a restart.
        var interval = usec / 2;
        _probeClient = NodeLivenessChecks.LoopbackClient(_apiCertificate, interval);
        _watchdog = new WatchdogService(
            [NodeLivenessChecks.LedgerWriter(_ledger), NodeLivenessChecks.Api(_probeClient, apiAddress)],
            interval, () => _notifier.Notify("WATCHDOG=1"), _logger);
        await _watchdog.StartAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Shutdown began: systemd waits for the exit instead of counting it as a crash.</summary>
    public void Stopping() => _notifier.Notify("STOPPING=1");

    public async ValueTask DisposeAsync()
    {
        if (_watchdog is not null)
        {
            await _watchdog.StopAsync(CancellationToken.None).ConfigureAwait(false);
            _watchdog.Dispose();
        }

        _probeClient?.Dispose();
        _notifier.Dispose();
    }
}

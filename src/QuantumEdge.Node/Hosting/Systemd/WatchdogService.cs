namespace QuantumEdge.Node.Hosting.Systemd;

/// <summary>
/// Sends systemd's <c>WATCHDOG=1</c> only while the node really works: every round (half the
/// <c>WatchdogSec</c> interval) runs each <see cref="LivenessCheck"/> with a deadline and pings only
/// when all of them answered. A check that fails, times out, or is still stuck on its previous probe
/// withholds the ping and is logged once; systemd then restarts the node when <c>WatchdogSec</c>
/// passes without one. A check that recovers before that resumes the pings.
/// </summary>
internal sealed class WatchdogService : BackgroundService
{
    private readonly IReadOnlyList<LivenessCheck> _checks;
    private readonly Task?[] _pending;
    private readonly Action _ping;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _deadline;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private string? _failure;
    private long _rounds;
    private long _pings;

    /// <param name="checks">What must answer for a ping.</param>
    /// <param name="interval">Time between rounds: half of systemd's WATCHDOG_USEC.</param>
    /// <param name="ping">Sends <c>WATCHDOG=1</c>.</param>
    /// <param name="logger">Where a withheld ping is explained.</param>
    /// <param name="time">The clock for rounds and deadlines.</param>
    public WatchdogService(IReadOnlyList<LivenessCheck> checks, TimeSpan interval, Action ping, ILogger logger, TimeProvider? time = null)
    {
        _checks = checks;
        _pending = new Task?[checks.Count];
        _interval = interval;
        // A round's checks must answer well before the next round, or the ping would be late anyway.
        _deadline = interval / 2;
        _ping = ping;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Rounds completed so far.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary><c>WATCHDOG=1</c> pings sent so far.</summary>
    public long Pings => Interlocked.Read(ref _pings);

    /// <summary>Why the last round withheld its ping, or null when it pinged.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.LogInformation("watchdog: pinging systemd every {Seconds:F1} s while the ledger writer and the API answer", _interval.TotalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var failure = await RoundAsync(stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (failure is null)
            {
                _ping();
                Interlocked.Increment(ref _pings);
                if (_failure is not null)
                {
                    _logger.LogWarning("watchdog: checks answer again; pinging systemd again");
                }
            }
            else if (_failure is null)
            {
                _logger.LogError("watchdog: {Failure}; not pinging systemd, which restarts the node once WatchdogSec passes without a ping", failure);
            }

            Volatile.Write(ref _failure, failure);
            Interlocked.Increment(ref _rounds);
            try
            {
                await Task.Delay(_interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Runs every check once; returns why the node does not work, or null when it does.</summary>
    private async Task<string?> RoundAsync(CancellationToken ct)
    {
        var failures = new List<string>();
        for (var i = 0; i < _checks.Count; i++)
        {
            if (_pending[i] is { IsCompleted: false })
            {
                // A wedged probe is not started again: probes must not pile up behind it.
                failures.Add($"{_checks[i].Name} has not answered its previous probe");
                continue;
            }

            var probe = _checks[i].Probe;
            // Run off this loop so that a probe that blocks its thread cannot stop the watchdog deciding.
            _pending[i] = Task.Run(() => probe(ct), ct);
        }

        try
        {
            await Task.WhenAll(_pending.Where(p => p is not null).Select(p => p!)).WaitAsync(_deadline, _time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return "stopping";
        }
        catch (Exception)
        {
            // Per check below: which one timed out or failed, and why.
        }

        for (var i = 0; i < _checks.Count; i++)
        {
            var task = _pending[i];
            if (task is null || failures.Exists(f => f.StartsWith(_checks[i].Name + " ", StringComparison.Ordinal)))
            {
                continue;
            }

            if (!task.IsCompleted)
            {
                failures.Add($"{_checks[i].Name} did not answer within {_deadline.TotalMilliseconds:F0} ms");
            }
            else if (task.Exception?.GetBaseException() is { } e)
            {
                failures.Add($"{_checks[i].Name} failed: {e.GetType().Name}: {e.Message}");
            }
            else if (task.IsCanceled)
            {
                failures.Add($"{_checks[i].Name} was cancelled");
            }
        }

        return failures.Count == 0 ? null : string.Join("; ", failures);
    }
}

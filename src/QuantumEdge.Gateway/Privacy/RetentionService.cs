using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Retention;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// Retention pruning at start and then every interval, as a hosted service. A failed iteration is
/// logged and the next one runs on schedule: one bad prune never ends retention for the life of
/// the process, and the service never leaves a faulted task behind for shutdown to trip over.
/// </summary>
/// <param name="prune">One pruning pass; null when there was nothing to do (the ledger is read-only).</param>
/// <param name="interval">Time between passes (<c>storage.retention_interval_hours</c>).</param>
/// <param name="logger">Where passes and failures are reported.</param>
public sealed class RetentionService(Func<Task<RetentionResult?>> prune, TimeSpan interval, ILogger<RetentionService> logger) : BackgroundService
{
    /// <summary>Prunes <paramref name="ledger"/>, skipping passes while it is read-only.</summary>
    public static RetentionService For(IPrivacyLedger ledger, TimeSpan interval, ILogger<RetentionService> logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return new RetentionService(
            async () => ledger.ReadOnlyReason is null ? await ledger.PruneAsync().ConfigureAwait(false) : null,
            interval, logger);
    }

    /// <summary>Passes attempted so far, failed ones included.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Passes that threw.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    private long _passes;
    private long _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                await PassAsync().ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PassAsync()
    {
        try
        {
            var result = await prune().ConfigureAwait(false);
            if (result is { } r && (r.AuditRecordsPruned > 0 || r.BudgetRowsPruned > 0))
            {
                logger.LogInformation("retention pruned {Audit} audit records and {Budgets} budget rows; chain now starts at seq {First}",
                    r.AuditRecordsPruned, r.BudgetRowsPruned, r.FirstKeptSeq);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _failures);
            logger.LogError("retention pruning failed; the next pass runs in {Interval}: {Error}", interval, e.Message);
        }
        finally
        {
            Interlocked.Increment(ref _passes);
        }
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuantumEdge.Ledger;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// The full ledger verification that start-up leaves for later because the chain is too long to
/// check before serving (<see cref="LedgerOptions.FullVerificationAtOpenMaxRecords"/>). Runs once per
/// start, between group commits; tampering turns the ledger read-only, which stops inference traffic
/// (<see cref="PrivacyLedgerGate"/>) and /health. A failed attempt is logged and retried.
/// </summary>
public sealed class LedgerVerificationService(IPrivacyLedger ledger, ILogger<LedgerVerificationService> logger, TimeSpan? retryDelay = null)
    : BackgroundService
{
    private readonly TimeSpan _retryDelay = retryDelay ?? TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!ledger.BackgroundVerificationDue)
        {
            return;
        }

        logger.LogInformation("the audit chain is too long to verify fully before serving: verifying the whole ledger in the background");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await ledger.VerifyInBackgroundAsync(stoppingToken).ConfigureAwait(false);
                if (result.IsValid)
                {
                    logger.LogInformation("background verification: {Result}", result.ToString());
                }
                else
                {
                    logger.LogCritical("background verification found tampering; the ledger is now read-only and inference requests are refused: {Result}",
                        result.ToString());
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError("background verification failed; retrying in {Delay}: {Error}", _retryDelay, e.Message);
            }

            try
            {
                await Task.Delay(_retryDelay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

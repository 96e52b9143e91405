using QuantumEdge.Federation;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Federation;

/// <summary>
/// The node's federation work in the background: anti-entropy gossip rounds, and every
/// <c>release_interval_seconds</c> (and once at start) a new envelope carrying the ledger's audit
/// head, a DP release of the observation window while the day's budget lasts, and the lending offer.
/// A failed publish is logged and retried at the next interval; it never stops the gossip.
/// </summary>
internal sealed class FederationLoop(FederationMember member, GossipEngine engine, IPrivacyLedger ledger, LendingOffer lending,
    TimeSpan releaseInterval, ILogger<FederationLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // One exchange before the first envelope: should this node's own sequence file be older than
            // what its peers hold (a file-level restore), it learns its newest envelope back first and
            // continues after it instead of re-signing a seq they hold.
            await engine.RunRoundAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("federation: first gossip round failed: {ExceptionType}: {Message}", e.GetType().Name, e.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var gossip = engine.RunAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await PublishAsync().ConfigureAwait(false);
                await Task.Delay(releaseInterval, member.Clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await gossip.ConfigureAwait(false);
    }

    /// <summary>Publishes one envelope now (also used by tests to avoid waiting for the interval).</summary>
    public async Task<PublishOutcome?> PublishAsync()
    {
        try
        {
            var (seq, hash) = await ledger.AuditHeadAsync().ConfigureAwait(false);
            var outcome = member.Publish(seq > 0 ? new AuditHead(seq, hash) : null, lending);
            if (outcome.Budget.Exhausted && !outcome.Released)
            {
                logger.LogWarning("federation privacy budget for {Day} is spent: envelope {Envelope} carries no release", outcome.Budget.Day, outcome.Envelope);
            }

            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError("federation publish failed: {ExceptionType}: {Message}", e.GetType().Name, e.Message);
            return null;
        }
    }
}

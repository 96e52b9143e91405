using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Audits the refusals of unauthenticated callers the way <see cref="UnauthenticatedRefusals"/> decides:
/// <see cref="Note"/> tells the caller whether a refusal gets its own record, and the per-address
/// summary records are written once their interval is over (at once when the address's next refusal
/// ends it, otherwise on this service's timer), and all of them at shutdown. A failed write is logged;
/// a timer round that fails is tried again on the next.
/// </summary>
public sealed class RefusalSummaryWriter(UnauthenticatedRefusals refusals, IPrivacyLedger ledger, ILogger<RefusalSummaryWriter> logger)
    : BackgroundService
{
    /// <summary>
    /// Notes one refusal of an unauthenticated caller (see <see cref="UnauthenticatedRefusals.Note"/>); true when
    /// it should be audited on its own. A summary this refusal ended is audited in the background.
    /// </summary>
    /// <param name="address">Whom the refusal counts against (<see cref="RefusalSource.Of"/>).</param>
    /// <param name="endpoint">Method and route pattern refused, never a query string.</param>
    public bool Note(string address, string endpoint)
    {
        var individual = refusals.Note(address, endpoint, out var ended);
        if (ended is { } summary)
        {
            _ = WriteLoggingFailureAsync(summary);
        }

        return individual;
    }

    /// <summary>Audits the summaries of ended intervals (every one when <paramref name="all"/>).</summary>
    public async Task FlushAsync(bool all = false)
    {
        foreach (var summary in refusals.TakeEnded(all))
        {
            await WriteAsync(summary).ConfigureAwait(false);
        }
    }

    /// <summary>Audits one summary as a refusal record whose detail carries the count and the last endpoint refused.</summary>
    public async Task WriteAsync(UnauthenticatedRefusals.Summary summary)
    {
        await ledger.RecordAsync(new AuditEntry
        {
            EventType = AuditEventType.Request,
            RequestId = string.Create(CultureInfo.InvariantCulture, $"refusal-summary-{summary.From.ToUnixTimeMilliseconds()}-{summary.Address}"),
            UserId = "(unauthenticated)",
            HttpStatus = 401,
            Decision = AuditDecisions.RefusedUnauthenticatedSummary,
            Detail = string.Create(CultureInfo.InvariantCulture,
                $"{summary.Suppressed} more unauthenticated refusals from {summary.Address} between {summary.From:yyyy-MM-ddTHH:mm:ssZ} and {summary.To:yyyy-MM-ddTHH:mm:ssZ}; the last at {AuditText.DetailValue(summary.LastEndpoint)}"),
        }, CommitTiming.Deferrable).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(refusals.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await FlushAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError("writing refusal summaries failed: {ExceptionType}: {Message}", e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(all: true).ConfigureAwait(false);
    }

    private async Task WriteLoggingFailureAsync(UnauthenticatedRefusals.Summary summary)
    {
        try
        {
            await WriteAsync(summary).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError("refusal summary could not be audited: {ExceptionType}", e.GetType().Name);
        }
    }
}

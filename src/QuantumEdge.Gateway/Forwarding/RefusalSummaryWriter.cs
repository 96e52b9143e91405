using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Writes the per-address summary records of <see cref="UnauthenticatedRefusals"/> through the
/// request gates (the audit trail) once their interval is over, and all of them at shutdown.
/// A failed round is logged; the next one tries again.
/// </summary>
public sealed class RefusalSummaryWriter(UnauthenticatedRefusals refusals, IReadOnlyList<IRequestGate> gates, ILogger<RefusalSummaryWriter> logger)
    : BackgroundService
{
    /// <summary>Audits the summaries of ended intervals (every one when <paramref name="all"/>).</summary>
    public async Task FlushAsync(bool all = false)
    {
        foreach (var summary in refusals.TakeEnded(all))
        {
            await WriteAsync(summary).ConfigureAwait(false);
        }
    }

    /// <summary>Audits one summary as a refusal record whose detail carries the count.</summary>
    public async Task WriteAsync(UnauthenticatedRefusals.Summary summary)
    {
        var record = new RequestRecord
        {
            RequestId = string.Create(CultureInfo.InvariantCulture, $"refusal-summary-{summary.From.ToUnixTimeMilliseconds()}-{summary.Address}"),
            Route = summary.Route,
            ReceivedAt = summary.From,
            Status = 401,
            Decision = "refused:unauthenticated_summary",
            Detail = string.Create(CultureInfo.InvariantCulture,
                $"{summary.Suppressed} more unauthenticated refusals from {summary.Address} between {summary.From:yyyy-MM-ddTHH:mm:ssZ} and {summary.To:yyyy-MM-ddTHH:mm:ssZ}"),
        };
        foreach (var gate in gates)
        {
            await gate.CompleteAsync(record).ConfigureAwait(false);
        }
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
}

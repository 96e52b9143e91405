using System.Globalization;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using Microsoft.Extensions.Logging;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// The privacy budget and the audit trail in the request path. Requests touching patient data
/// (restricted, confidential) are charged atomically and durably before they reach a backend; a
/// charge whose request got no answer is released. Every request, admitted or refused, ends as
/// an audit record holding metadata and a keyed hash of the prompt, never its text. While the
/// ledger is read-only (tampering was found), no request of any classification is let through:
/// it could not be audited. While the ledger's store is unreachable (a shared database down), charged
/// requests are refused with 503 <c>ledger_unavailable</c> and nothing is forwarded; free ones are
/// served only when <see cref="LedgerAvailability.ServeFreeRequestsWhileUnavailable"/> says so.
/// </summary>
public sealed class PrivacyLedgerGate(IPrivacyLedger ledger, PrivacyMetrics metrics, TimeProvider time, ILogger logger, LedgerAvailability? availability = null) : IRequestGate
{
    private readonly HashSet<Task> _pending = [];

    /// <summary>The refusal for a request the ledger cannot take now because its store is unreachable.</summary>
    public static GatewayError UnavailableRefusal(int retryAfterSeconds) => GatewayError.Unavailable(
        "the privacy ledger's database is unreachable; nothing was sent to a backend, retry later",
        "ledger_unavailable", retryAfterSeconds);

    /// <summary>The refusal for every request while the ledger is read-only.</summary>
    public static GatewayError ReadOnlyRefusal() => GatewayError.Unavailable(
        "the audit ledger is read-only because tampering was detected in it or a commit could not be made durable; requests are refused because they could not be audited (an operator must run 'quantumedge audit verify', or restart the node after a storage failure)",
        "ledger_read_only");

    public async ValueTask AdmitAsync(RequestRecord record, ReadOnlyMemory<byte> prompt, CancellationToken ct)
    {
        if (ledger.ReadOnlyReason is not null)
        {
            // Nothing can be written, the refusal's own record included.
            record.Audited = true;
            throw ReadOnlyRefusal();
        }

        record.PromptHmac = ledger.PromptFingerprint.Compute(prompt.Span);
        var charged = record.Classification.IsPatientData();
        if (availability is { Available: false } && (charged || !availability.ServeFreeRequestsWhileUnavailable))
        {
            // Not even the refusal's record can be written; the probe, not this request, finds the store again.
            throw Unavailable(record, availability);
        }

        if (!charged)
        {
            return;
        }

        if (record.PriorChargeSeq is { } prior)
        {
            // Charged before a restart: one request, one charge.
            record.ChargeSeq = prior;
            record.EpsilonCharged = record.PriorEpsilon;
            return;
        }

        var caller = record.Caller!;
        ChargeResult result;
        try
        {
            result = await ledger.ChargeAsync(new ChargeRequest
            {
                UserId = caller.Subject,
                Department = caller.Department,
                Role = caller.Role,
                RequestId = record.RequestId,
                Classification = record.Classification.Name(),
                Model = record.Model,
                PromptHmac = record.PromptHmac,
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (LedgerUnavailableException e) when (availability is not null)
        {
            // Nothing was charged or written: refuse before anything is forwarded.
            availability.ReportUnavailable(e);
            throw Unavailable(record, availability);
        }
        catch (LedgerException e) when (ledger.StoppedByStorageFailure)
        {
            // The one place the cause is said in full (the request's own error line gives the type only):
            // the ledger's message names the failed step, the file and the OS error, never request content.
            logger.LogCritical("the privacy ledger stopped taking writes; repair the storage and restart the node: {Error}", e.Message);
            throw;
        }

        metrics.AuditEvents.WithLabels("request").Inc();
        var d = result.Decision;
        if (!result.Admitted)
        {
            record.Audited = true;
            metrics.Violations.Inc();
            var retry = Math.Max(1, (int)Math.Ceiling((result.RetryAfter - time.GetUtcNow()).TotalSeconds));
            throw new GatewayError(429, "insufficient_quota", "insufficient_privacy_budget", string.Create(CultureInfo.InvariantCulture,
                $"Insufficient privacy budget: spent ε={d.SpentBefore:F4} of {d.Budget:F4} today, this request needs ε={d.Requested:F4}, remaining ε={d.Remaining:F4}; the budget renews at {result.RetryAfter:yyyy-MM-ddTHH:mm:ssZ}"))
            {
                RetryAfterSeconds = retry,
            };
        }

        record.ChargeSeq = result.AuditSeq;
        record.EpsilonCharged = d.SpentAfter - d.SpentBefore;
        metrics.Observe(result.DayKey, caller.Department, caller.Subject, d.SpentAfter);
    }

    private static GatewayError Unavailable(RequestRecord record, LedgerAvailability availability)
    {
        record.Audited = true;
        availability.CountRefusal();
        return UnavailableRefusal(availability.RetryAfterSeconds);
    }

    /// <summary>
    /// Queues the outcome record (and the release of an unanswered charge) on the ledger's writer
    /// before returning, so the writer applies them before any write queued afterwards, but does not
    /// hold the response for the fsync: the admission record with its charge was made durable before
    /// the request was forwarded. A read sees them only once they are committed (PostgreSQL reads go to
    /// the database directly; <see cref="IPrivacyLedger.FlushAsync"/> commits them now). Both are <see cref="CommitTiming.Deferrable"/>: they share a group commit
    /// with whatever the writer gathers within its linger, or the next immediate write's, whichever
    /// comes first (a crash can lose the records of that window, never a charge).
    /// </summary>
    public ValueTask CompleteAsync(RequestRecord record)
    {
        if (record.Audited)
        {
            return ValueTask.CompletedTask;
        }

        var answered = record.Status is >= 200 and < 300;
        Task<RefundResult>? refund = null;
        if (record.ChargeSeq is { } chargeSeq && !answered && !record.Disclosed)
        {
            // Nothing reached the caller, so nothing was disclosed: the charge is released (and audited).
            refund = ledger.RefundAsync(chargeSeq, $"no answer (status {record.Status})", CommitTiming.Deferrable);
        }

        var caller = record.Caller;
        var outcome = ledger.RecordAsync(new AuditEntry
        {
            EventType = AuditEventType.Request,
            RequestId = record.RequestId,
            UserId = caller?.Subject ?? "(unauthenticated)",
            Role = caller?.Role,
            Department = caller?.Department,
            Classification = record.Classification.Name(),
            Backend = record.Backend,
            Model = record.Model,
            PromptTokens = record.Usage?.PromptTokens ?? 0,
            CompletionTokens = record.Usage?.CompletionTokens ?? 0,
            HttpStatus = record.Status,
            LatencyMs = Math.Round(record.LatencyMs, 3),
            Decision = record.OutcomeDecision,
            EpsilonCharged = answered || record.Disclosed ? record.EpsilonCharged : 0,
            PromptHmac = record.PromptHmac,
            RelatedSeq = record.ChargeSeq,
            Detail = record.Detail,
        }, CommitTiming.Deferrable);
        Track(FinishAsync(refund, outcome, caller));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Makes every queued outcome record durable now, without waiting out the ledger's linger, and
    /// waits for it (shutdown). Never throws: it runs first in the node's shutdown, and whatever the
    /// ledger does (closed, failing, cancelled) the rest of the shutdown must still run; failures are logged.
    /// </summary>
    public async Task DrainAsync()
    {
        Task pending;
        lock (_pending)
        {
            pending = Task.WhenAll(_pending);
        }

        try
        {
            await ledger.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The records still queued commit without the flush (at the end of the linger, or as the
            // ledger closes); their own tasks report their failures as they finish.
            logger.LogError("the ledger could not flush the queued outcome records: {Type}: {Error}", e.GetType().Name, e.Message);
        }

        // FinishAsync catches every failure, so this only waits.
        await pending.ConfigureAwait(false);
    }

    private async Task FinishAsync(Task<RefundResult>? refund, Task<long> outcome, Auth.CallerIdentity? caller)
    {
        try
        {
            if (refund is not null)
            {
                await refund.ConfigureAwait(false);
                metrics.AuditEvents.WithLabels("request").Inc();
                if (caller is not null)
                {
                    var budget = await ledger.GetBudgetAsync(caller.Subject, caller.Department).ConfigureAwait(false);
                    metrics.Observe(budget.DayKey, caller.Department, caller.Subject, budget.Spent);
                }
            }

            await outcome.ConfigureAwait(false);
            metrics.AuditEvents.WithLabels("request").Inc();
        }
        catch (LedgerUnavailableException e) when (availability is not null)
        {
            availability.ReportUnavailable(e);
            logger.LogError("audit outcome record could not be written: {Error}", e.Message);
        }
        catch (Exception e)
        {
            // Any failure (a closed ledger, a database driver's own exception): the record is lost,
            // said here, and DrainAsync, which waits on this task at shutdown, must not throw.
            logger.LogError("audit outcome record could not be written: {Type}: {Error}", e.GetType().Name, e.Message);
        }
    }

    private void Track(Task task)
    {
        lock (_pending)
        {
            _pending.Add(task);
        }

        _ = task.ContinueWith(t =>
        {
            lock (_pending)
            {
                _pending.Remove(t);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

using System.Globalization;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// The privacy budget and the audit trail in the request path. Requests touching patient data
/// (restricted, confidential) are charged atomically and durably before they reach a backend; a
/// charge whose request got no answer is released. Every request, admitted or refused, ends as
/// an audit record holding metadata and a keyed hash of the prompt, never its text.
/// </summary>
public sealed class PrivacyLedgerGate(PrivacyLedger ledger, PrivacyMetrics metrics, TimeProvider time) : IRequestGate
{
    public async ValueTask AdmitAsync(RequestRecord record, ReadOnlyMemory<byte> prompt, CancellationToken ct)
    {
        record.PromptHmac = ledger.PromptFingerprint.Compute(prompt.Span);
        if (!record.Classification.IsPatientData())
        {
            return;
        }

        var caller = record.Caller!;
        var result = await ledger.ChargeAsync(new ChargeRequest
        {
            UserId = caller.Subject,
            Department = caller.Department,
            Role = caller.Role,
            RequestId = record.RequestId,
            Classification = record.Classification.Name(),
            Model = record.Model,
            PromptHmac = record.PromptHmac,
        }, CancellationToken.None).ConfigureAwait(false);
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

    public async ValueTask CompleteAsync(RequestRecord record)
    {
        if (record.Audited)
        {
            return;
        }

        var answered = record.Status is >= 200 and < 300;
        if (record.ChargeSeq is { } chargeSeq && !answered)
        {
            // Nothing reached the caller, so nothing was disclosed: the charge is released (and audited).
            await ledger.RefundAsync(chargeSeq, $"no answer (status {record.Status})").ConfigureAwait(false);
            metrics.AuditEvents.WithLabels("request").Inc();
            if (record.Caller is { } c)
            {
                var budget = await ledger.GetBudgetAsync(c.Subject, c.Department).ConfigureAwait(false);
                metrics.Observe(budget.DayKey, c.Department, c.Subject, budget.Spent);
            }
        }

        var caller = record.Caller;
        await ledger.RecordAsync(new AuditEntry
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
            Decision = record.Decision.StartsWith("refused:", StringComparison.Ordinal)
                ? record.Decision
                : answered ? AuditDecisions.Completed : AuditDecisions.Failed,
            EpsilonCharged = answered ? record.EpsilonCharged : 0,
            PromptHmac = record.PromptHmac,
            RelatedSeq = record.ChargeSeq,
        }).ConfigureAwait(false);
        metrics.AuditEvents.WithLabels("request").Inc();
    }
}

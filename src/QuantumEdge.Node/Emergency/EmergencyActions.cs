using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Node.Emergency;

/// <summary>
/// Lockdown, halt and token revocation as audited, durable operations, shared by the admin HTTP
/// endpoints and the local admin socket. One change at a time: audit it, persist the new state,
/// then switch the request path over. Restrictive changes (lock, halt, revoke) take effect even when
/// the ledger is read-only after tampering (that is when they are needed; the response says the
/// audit record is missing); relaxing ones (unlock, resume) need their audit record, and while the
/// ledger's store is unreachable they are refused as inference is (503 <c>ledger_unavailable</c> with
/// <c>Retry-After</c>, reported to and counted by <see cref="LedgerAvailability"/>).
/// </summary>
internal sealed class EmergencyActions(EmergencyControls controls, EmergencyStateFile file, IPrivacyLedger ledger, TimeProvider time, ILogger logger,
    Compliance.ComplianceNotifier? notifier = null, LedgerAvailability? availability = null)
{
    /// <summary>How far in the future a revocation stamp may lie (clock differences between hosts).</summary>
    public static readonly TimeSpan MaxFutureStamp = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _oneChange = new(1, 1);

    public EmergencyControls Controls => controls;

    public Task<EmergencyOutcome> LockdownAsync(bool on, AdminActor actor, CancellationToken ct)
    {
        if (!on && controls.ConfigLockdown)
        {
            return RefuseAsync(AuditDecisions.AdminLockdownOff, 409, "lockdown_configured",
                "security.security_lockdown is true in the configuration: set it to false and restart the node to lift the lockdown", actor, "", ct);
        }

        return ApplyAsync(on ? AuditDecisions.AdminLockdownOn : AuditDecisions.AdminLockdownOff, restrictive: on, actor, "",
            (s, now) => s.LockedDown == on && (on || controls.StateProblem is null) ? null : s with { LockedDown = on, LockedDownSince = on ? now : null },
            resolvesProblem: !on, ct);
    }

    public Task<EmergencyOutcome> HaltAsync(bool halt, AdminActor actor, CancellationToken ct) =>
        ApplyAsync(halt ? AuditDecisions.AdminHalt : AuditDecisions.AdminResume, restrictive: halt, actor, "",
            (s, now) => s.Halted == halt ? null : s with { Halted = halt, HaltedSince = halt ? now : null }, resolvesProblem: false, ct);

    /// <summary>Refuses the tokens of <paramref name="subject"/> (null: everyone's) issued before <paramref name="before"/> (null: now).</summary>
    public Task<EmergencyOutcome> RevokeAsync(string? subject, DateTimeOffset? before, AdminActor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stamp = before ?? now;
        var key = subject is null ? null : controls.SubjectKey(subject);
        var scope = key is null ? "scope=all" : "scope=user;target_sub_hmac=" + key;
        if (stamp > now + MaxFutureStamp)
        {
            return RefuseAsync(AuditDecisions.AdminRevokeTokens, 400, "invalid_before",
                $"'before' lies in the future ({stamp:O}); a revocation covers tokens already issued", actor, scope, ct);
        }

        if (key is not null && !controls.State.SubjectsRevokedBefore.ContainsKey(key) && controls.State.SubjectsRevokedBefore.Count >= EmergencyState.MaxRevokedSubjects)
        {
            return RefuseAsync(AuditDecisions.AdminRevokeTokens, 409, "too_many_revocations",
                $"{EmergencyState.MaxRevokedSubjects} users are revoked one by one already: revoke everyone's tokens instead (no --sub)", actor, scope, ct);
        }

        var detail = scope + ";before=" + stamp.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return ApplyAsync(AuditDecisions.AdminRevokeTokens, restrictive: true, actor, detail,
            (s, _) =>
            {
                var next = s.Revoke(key, stamp);
                return next == s ? null : next;
            }, resolvesProblem: false, ct);
    }

    /// <summary>
    /// When the persisted state was distrusted at start: audits that, keeps the bad file aside and
    /// persists the fail-closed state, so that a restart does not move the revocation stamp.
    /// </summary>
    public async Task PersistDistrustedStartAsync(CancellationToken ct)
    {
        if (controls.StateProblem is not { } problem)
        {
            return;
        }

        var now = time.GetUtcNow();
        logger.LogCritical("emergency state not trusted: {Problem}; the node starts locked down with every earlier token revoked ('quantumedge admin lockdown off' lifts it)", problem);
        var aside = file.SetAsideDistrusted(now);
        long seq = 0;
        try
        {
            seq = await ledger.RecordAsync(new AuditEntry
            {
                EventType = AuditEventType.Admin,
                RequestId = "startup",
                UserId = "node",
                Role = "system",
                Decision = AuditDecisions.EmergencyStateDistrusted,
                Detail = "kept_as=" + (aside is null ? "-" : System.IO.Path.GetFileName(aside)),
            }, ct).ConfigureAwait(false);
        }
        catch (LedgerException e)
        {
            logger.LogCritical("the distrusted emergency state could not be audited: {Problem}", e.Message);
        }

        var state = controls.State with { AuditSeq = seq };
        try
        {
            file.Write(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The node stays locked down in memory; a restart finds the same problem and fails closed again.
            logger.LogCritical("the fail-closed emergency state could not be written to {Path}: {Problem}", file.Path, e.Message);
        }

        controls.Replace(state);
        Notify(AuditDecisions.EmergencyStateDistrusted, "critical", now);
    }

    private async Task<EmergencyOutcome> ApplyAsync(string decision, bool restrictive, AdminActor actor, string detail,
        Func<EmergencyState, DateTimeOffset, EmergencyState?> change, bool resolvesProblem, CancellationToken ct)
    {
        EmergencyState unchanged;
        await _oneChange.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var current = controls.State;
            if (change(current, now) is not { } next)
            {
                unchanged = current;
                goto Unchanged;
            }

            if (!restrictive && availability is { Available: false })
            {
                // Refused at once, as inference is: the availability probe, not this caller, finds the store again.
                return EmergencyOutcome.Refused(availability.Refuse(), current);
            }

            long? seq = null;
            string? auditProblem = null;
            try
            {
                seq = await ledger.RecordAsync(AdminEntry(actor, decision, 200, Detail(detail, actor.Reason)), ct).ConfigureAwait(false);
            }
            catch (LedgerException e)
            {
                if (e is LedgerUnavailableException unavailable && availability is not null)
                {
                    if (!restrictive)
                    {
                        return EmergencyOutcome.Refused(availability.Refuse(unavailable), current);
                    }

                    availability.ReportUnavailable(unavailable);
                }
                else if (!restrictive)
                {
                    return EmergencyOutcome.Refused(503, "ledger_unavailable", $"the change cannot be audited, so it was not made: {e.Message}", current);
                }

                auditProblem = e.Message;
                logger.LogCritical("{Decision} takes effect without an audit record: {Problem}", decision, e.Message);
            }

            next = next with { AuditSeq = seq ?? current.AuditSeq, UpdatedAt = now };
            try
            {
                file.Write(next);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("{Decision} was audited but could not be persisted to {Path}: {Problem}", decision, file.Path, e.Message);
                var undone = await RecordNotAppliedAsync(decision, seq, actor, ct).ConfigureAwait(false);
                return EmergencyOutcome.Refused(500, "state_not_persisted", $"the change could not be written to '{file.Path}' and was not made: {e.Message}", current) with { AuditSeq = undone ?? seq };
            }

            controls.Replace(next, resolvesProblem);
            logger.LogWarning("emergency action {Decision} by a caller with role {Role} (audit seq {Seq})", decision, actor.Role, seq);
            Notify(decision, decision == AuditDecisions.AdminRevokeTokens ? "warning" : restrictive ? "critical" : "info", now);
            return new EmergencyOutcome(200, next, Changed: true) { AuditSeq = seq, AuditProblem = auditProblem };
        }
        finally
        {
            _oneChange.Release();
        }

    Unchanged:
        // Nothing to change, but an administrator asked for it: that is on the record too — written after the
        // lock is let go, so that a slow ledger cannot hold up a real change behind a repeated one.
        var (unchangedSeq, unchangedProblem) = await RecordAttemptAsync(AuditDecisions.AdminActionUnchanged, 200, actor,
            Detail(Join("action=" + decision, detail), actor.Reason), ct).ConfigureAwait(false);
        return new EmergencyOutcome(200, unchanged, Changed: false) { AuditSeq = unchangedSeq, AuditProblem = unchangedProblem };
    }

    /// <summary>
    /// <c>admin notify-compliance</c>: audits the notice, then queues it for the webhook (409 when
    /// <c>compliance.notify_url</c> is not configured, 400 for an unknown severity or no message).
    /// </summary>
    public async Task<EmergencyOutcome> NotifyComplianceAsync(string? severity, string? message, AdminActor actor, CancellationToken ct)
    {
        if (severity is null || Array.IndexOf(Compliance.ComplianceEvent.Severities, severity) < 0)
        {
            return EmergencyOutcome.Refused(400, "invalid_severity",
                $"'severity' must be one of {string.Join(", ", Compliance.ComplianceEvent.Severities)}", controls.State);
        }

        if (string.IsNullOrWhiteSpace(message))
        {
            return EmergencyOutcome.Refused(400, "invalid_request", "'message' is required", controls.State);
        }

        if (notifier is null)
        {
            return EmergencyOutcome.Refused(409, "notify_not_configured", "compliance.notify_url is not configured on this node", controls.State);
        }

        long seq;
        try
        {
            seq = await ledger.RecordAsync(AdminEntry(actor, "admin:compliance_notice", 202, "severity=" + severity), ct).ConfigureAwait(false);
        }
        catch (LedgerException e)
        {
            if (e is LedgerUnavailableException unavailable)
            {
                availability?.ReportUnavailable(unavailable);
            }

            logger.LogCritical("compliance notice sent without an audit record: {Problem}", e.Message);
            seq = 0;
        }

        var queued = notifier.Enqueue(new Compliance.ComplianceEvent("manual_notice", severity, time.GetUtcNow(), message));
        return queued
            ? new EmergencyOutcome(202, controls.State, Changed: false) { AuditSeq = seq == 0 ? null : seq }
            : EmergencyOutcome.Refused(503, "notify_queue_full", "the notification queue is full; the webhook has not accepted the earlier ones", controls.State);
    }

    private void Notify(string decision, string severity, DateTimeOffset now) =>
        notifier?.Enqueue(new Compliance.ComplianceEvent(decision.StartsWith("admin:", StringComparison.Ordinal) ? decision["admin:".Length..] : decision, severity, now));

    /// <summary>
    /// The audit trail must not say an action was taken when it was not: its record (written ahead)
    /// is followed by one saying it was not applied, pointing at it. Null when that could not be written.
    /// </summary>
    private async Task<long?> RecordNotAppliedAsync(string decision, long? actionSeq, AdminActor actor, CancellationToken ct)
    {
        if (actionSeq is null)
        {
            return null;
        }

        try
        {
            return await ledger.RecordAsync(AdminEntry(actor, AuditDecisions.AdminActionNotApplied, 500, "action=" + decision + ";problem=state_not_persisted")
                with { RelatedSeq = actionSeq }, ct).ConfigureAwait(false);
        }
        catch (LedgerException e)
        {
            logger.LogCritical("audit record {Seq} ({Decision}) names an action that was not made, and saying so failed too: {Problem}", actionSeq, decision, e.Message);
            return null;
        }
    }

    /// <summary>An authenticated administrator's request refused: audited (<c>refused:&lt;code&gt;</c>, naming the action), then answered.</summary>
    private async Task<EmergencyOutcome> RefuseAsync(string decision, int status, string code, string message, AdminActor actor, string detail,
        CancellationToken ct)
    {
        var (seq, problem) = await RecordAttemptAsync("refused:" + code, status, actor, Detail(Join("action=" + decision, detail), actor.Reason), ct)
            .ConfigureAwait(false);
        return EmergencyOutcome.Refused(status, code, message, controls.State) with { AuditSeq = seq, AuditProblem = problem };
    }

    /// <summary>
    /// Audits a request that changes nothing (refused, or already in effect). Nothing depends on the record, so a
    /// ledger that cannot take it does not change the answer; the caller is told it was not audited.
    /// </summary>
    private async Task<(long? Seq, string? Problem)> RecordAttemptAsync(string decision, int status, AdminActor actor, string detail, CancellationToken ct)
    {
        if (availability is { Available: false })
        {
            // Not worth a wait on a store known to be down; its probe, not this caller, finds it again.
            logger.LogWarning("{Decision} was not audited: the ledger is unavailable", decision);
            return (null, "the ledger is unavailable");
        }

        try
        {
            return (await ledger.RecordAsync(AdminEntry(actor, decision, status, detail), ct).ConfigureAwait(false), null);
        }
        catch (LedgerException e)
        {
            if (e is LedgerUnavailableException unavailable)
            {
                availability?.ReportUnavailable(unavailable);
            }

            logger.LogWarning("{Decision} could not be audited: {Problem}", decision, e.Message);
            return (null, e.Message);
        }
    }

    private static AuditEntry AdminEntry(AdminActor actor, string decision, int status, string detail) => new()
    {
        EventType = AuditEventType.Admin,
        RequestId = actor.RequestId,
        UserId = actor.UserId,
        Role = actor.Role,
        Department = actor.Department,
        Decision = decision,
        HttpStatus = status,
        Detail = detail,
    };

    private static string Join(string first, string second) => second.Length == 0 ? first : first + ";" + second;

    private static string Detail(string detail, string reason)
    {
        reason = reason.Length > 200 ? reason[..200] : reason;
        return reason.Length == 0 ? detail : detail.Length == 0 ? "reason=" + reason : detail + ";reason=" + reason;
    }
}

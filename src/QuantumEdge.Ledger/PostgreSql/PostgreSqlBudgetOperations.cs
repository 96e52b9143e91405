using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>Budget writes applied inside a group transaction (rows locked there), mirroring the embedded ledger's BudgetOperations.</summary>
internal static class PostgreSqlBudgetOperations
{
    /// <summary>Opens the detail of a refund of another replica's charge: the chain its related_seq belongs to.</summary>
    public const string ChargeChainPrefix = "charge_chain=";

    public static async Task<ChargeResult> ChargeAsync(PostgreSqlTransaction tx, ChargeRequest request, CancellationToken cancellationToken)
    {
        var store = tx.Store;
        store.EnsureWritable();
        var now = tx.Now;
        var day = store.Window.DayKey(now);
        var userHash = store.UserIndex.Hash(request.UserId);
        await tx.LockTodayAsync([userHash], cancellationToken).ConfigureAwait(false);
        var row = tx.LockedToday(userHash);
        var decision = store.Policy.Evaluate(row.State, request.Department);
        var user = store.Cipher.EncryptCached(AuditFields.UserAad, request.UserId);
        var department = request.Department is null ? null : store.Cipher.EncryptCached(AuditFields.DepartmentAad, request.Department);
        if (decision.Admitted)
        {
            row.State = decision.After;
            row.User ??= store.Cipher.EncryptCached(BudgetRow.UserAad, request.UserId);
            if (request.Department is not null)
            {
                row.Department = store.Cipher.EncryptCached(BudgetRow.DepartmentAad, request.Department);
            }

            tx.Save(row);
        }

        var entry = new AuditEntry
        {
            EventType = AuditEventType.Request,
            RequestId = request.RequestId,
            Role = request.Role,
            Classification = request.Classification,
            Model = request.Model,
            HttpStatus = decision.Admitted ? 0 : 429,
            Decision = decision.Admitted ? AuditDecisions.Admitted : AuditDecisions.RefusedInsufficientBudget,
            EpsilonCharged = decision.Admitted ? decision.SpentAfter - decision.SpentBefore : 0,
            PromptHmac = request.PromptHmac,
            Detail = decision.Admitted ? BudgetChainCheck.DayPrefix + day : null,
        };
        var seq = tx.AppendAudit(entry, userHash, user, department);
        return new ChargeResult(decision, seq, day, store.Window.NextWindowStart(now));
    }

    /// <summary>Refunds the charge <paramref name="chargeSeq"/> of <paramref name="chain"/> (this replica's or another's); audited on this replica's chain.</summary>
    public static async Task<RefundResult> RefundAsync(PostgreSqlTransaction tx, string chain, long chargeSeq, string? reason, CancellationToken cancellationToken)
    {
        var store = tx.Store;
        store.EnsureWritable();
        var charge = await PostgreSqlAuditQueries.FindAsync(tx.Connection, tx.Transaction, chain, chargeSeq, cancellationToken).ConfigureAwait(false);
        if (charge is null)
        {
            return new RefundResult(false, 0, 0, "no such charge");
        }

        var c = charge.Fields;
        if (c.Decision != AuditDecisions.Admitted || c.Epsilon <= 0)
        {
            return new RefundResult(false, 0, 0, "the record is not an admitted charge");
        }

        if (tx.RefundedInThisBatch(chain, chargeSeq) || await IsRefundedAsync(tx, chain, chargeSeq, cancellationToken).ConfigureAwait(false))
        {
            return new RefundResult(false, 0, 0, "already refunded");
        }

        if (c.UserHash is not { } userHash)
        {
            return new RefundResult(false, 0, 0, "the charge has no user");
        }

        var day = c.Detail is { } detail && detail.StartsWith(BudgetChainCheck.DayPrefix, StringComparison.Ordinal)
            ? detail[BudgetChainCheck.DayPrefix.Length..]
            : store.Window.DayKey(charge.Time);
        await tx.LockBudgetsAsync(day, store.Window.NextWindowStart(charge.Time).UtcTicks, [userHash], cancellationToken).ConfigureAwait(false);
        var row = tx.LockedOrNull(BudgetRow.MakeId(day, userHash));
        if (row is null || row.State.Queries <= 0)
        {
            return new RefundResult(false, 0, 0, "the charge's budget day was reset or pruned");
        }

        // Every charge adds the same per-query increment, so removing one is proportional.
        var before = row.State;
        var keep = (double)(before.Queries - 1) / before.Queries;
        var after = new BudgetState(before.Queries - 1, before.RdpRate * keep, before.BasicEpsilon * keep);
        var released = store.Policy.Spent(before) - store.Policy.Spent(after);
        row.State = after;
        tx.Save(row);
        var seq = tx.AppendAudit(new AuditEntry
        {
            EventType = AuditEventType.Request,
            RequestId = c.RequestId ?? "",
            Role = c.Role,
            Classification = c.Classification,
            Model = c.Model,
            Decision = AuditDecisions.Refunded,
            EpsilonCharged = -released,
            // related_seq is a seq of the chain named here when that is not this record's own.
            Detail = chain == store.Chain ? reason : ChargeChainPrefix + chain + (reason is null ? "" : ";" + reason),
            RelatedSeq = chargeSeq,
        }, userHash, c.User, c.Department);
        tx.AddRefund(chain, chargeSeq, seq);
        return new RefundResult(true, seq, released, AuditDecisions.Refunded);
    }

    public static async Task<BudgetReset> ResetAsync(PostgreSqlTransaction tx, string userId, AdminActor actor, CancellationToken cancellationToken)
    {
        var store = tx.Store;
        store.EnsureWritable();
        var day = store.Window.DayKey(tx.Now);
        var userHash = store.UserIndex.Hash(userId);
        await tx.LockTodayAsync([userHash], cancellationToken).ConfigureAwait(false);
        var row = tx.LockedToday(userHash);
        var before = row.State;
        var spentBefore = store.Policy.Spent(before);
        if (before != default)
        {
            row.State = default;
            row.User ??= store.Cipher.EncryptCached(BudgetRow.UserAad, userId);
            tx.Save(row);
        }

        // Audited either way; a user with nothing spent that day (or a mistyped name) gets no budget row.
        var seq = tx.AppendAudit(new AuditEntry
        {
            EventType = AuditEventType.Admin,
            RequestId = actor.RequestId,
            UserId = actor.UserId,
            Role = actor.Role,
            Department = actor.Department,
            Decision = AuditDecisions.AdminBudgetReset,
            EpsilonCharged = -spentBefore,
            Detail = $"target_user_hmac={Convert.ToHexStringLower(userHash)};day={day};reason={actor.Reason}",
        });
        return new BudgetReset(seq, day, before.Queries, spentBefore);
    }

    /// <summary>GDPR erasure: deletes every budget row of the user and audits it in the same transaction.</summary>
    public static async Task<DataSubjectErasure> EraseAsync(PostgreSqlTransaction tx, string userId, AdminActor actor, CancellationToken cancellationToken)
    {
        var store = tx.Store;
        store.EnsureWritable();
        var userHash = store.UserIndex.Hash(userId);
        var days = new List<string>();
        await using (var delete = new NpgsqlCommand("DELETE FROM qe_budgets WHERE user_hash = $1 RETURNING day", tx.Connection, tx.Transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = userHash });
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                days.Add(reader.GetString(0));
            }
        }

        days.Sort(StringComparer.Ordinal);
        foreach (var day in days)
        {
            tx.Forget(BudgetRow.MakeId(day, userHash));
        }

        var pseudonym = Convert.ToHexStringLower(userHash);
        var seq = tx.AppendAudit(new AuditEntry
        {
            EventType = AuditEventType.Admin,
            RequestId = actor.RequestId,
            UserId = actor.UserId,
            Role = actor.Role,
            Department = actor.Department,
            Decision = AuditDecisions.AdminDataSubjectErasure,
            Detail = $"target_user_hmac={pseudonym};days={string.Join(',', days)};rows={days.Count};reason={actor.Reason}",
        });
        return new DataSubjectErasure(pseudonym, days.Count, days, seq);
    }

    private static async Task<bool> IsRefundedAsync(PostgreSqlTransaction tx, string chain, long chargeSeq, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM qe_refunds WHERE chain = $1 AND charge_seq = $2", tx.Connection, tx.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = chargeSeq });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }
}

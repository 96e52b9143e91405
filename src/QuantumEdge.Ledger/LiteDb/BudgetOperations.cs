using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>Budget work done on the writer thread, inside the group transaction.</summary>
internal static class BudgetOperations
{
    public static ChargeResult Charge(LedgerStore store, ChargeRequest request)
    {
        store.EnsureWritable();
        var now = store.Now();
        var day = store.Window.DayKey(now);
        var userHash = store.UserIndex.Hash(request.UserId);
        var row = store.GetOrCreateBudget(day, userHash, now);
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

            store.SaveBudget(row);
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
        var seq = store.AppendAudit(entry, userHash, user, department, now);
        return new ChargeResult(decision, seq, day, store.Window.NextWindowStart(now));
    }

    public static RefundResult Refund(LedgerStore store, long chargeSeq, string? reason)
    {
        store.EnsureWritable();
        var charge = store.FindAudit(chargeSeq);
        if (charge is null)
        {
            return new RefundResult(false, 0, 0, "no such charge");
        }

        if (AuditDocument.ReadString(charge, AuditFields.Decision) != AuditDecisions.Admitted
            || charge[AuditFields.Epsilon].AsDouble <= 0)
        {
            return new RefundResult(false, 0, 0, "the record is not an admitted charge");
        }

        if (store.Refunds.FindById(chargeSeq) is not null)
        {
            return new RefundResult(false, 0, 0, "already refunded");
        }

        var userHash = AuditDocument.ReadBytes(charge, AuditFields.UserHash);
        if (userHash is null)
        {
            return new RefundResult(false, 0, 0, "the charge has no user");
        }

        var chargeTime = AuditDocument.Time(charge);
        var day = store.Window.DayKey(chargeTime);
        var row = store.FindBudget(BudgetRow.MakeId(day, userHash));
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
        store.SaveBudget(row);

        var entry = new AuditEntry
        {
            EventType = AuditEventType.Request,
            RequestId = AuditDocument.ReadString(charge, AuditFields.RequestId) ?? "",
            Role = AuditDocument.ReadString(charge, AuditFields.Role),
            Classification = AuditDocument.ReadString(charge, AuditFields.Classification),
            Model = AuditDocument.ReadString(charge, AuditFields.Model),
            Decision = AuditDecisions.Refunded,
            EpsilonCharged = -released,
            Detail = reason,
            RelatedSeq = chargeSeq,
        };
        var seq = store.AppendAudit(entry, userHash, AuditDocument.ReadBytes(charge, AuditFields.User),
            AuditDocument.ReadBytes(charge, AuditFields.Department));
        store.Refunds.Insert(new LiteDB.BsonDocument { ["_id"] = chargeSeq, ["refund_seq"] = seq });
        return new RefundResult(true, seq, released, AuditDecisions.Refunded);
    }

    public static BudgetReset Reset(LedgerStore store, string userId, AdminActor actor)
    {
        store.EnsureWritable();
        var now = store.Now();
        var day = store.Window.DayKey(now);
        var userHash = store.UserIndex.Hash(userId);
        var row = store.FindBudget(BudgetRow.MakeId(day, userHash));
        var before = row?.State ?? default;
        var spentBefore = store.Policy.Spent(before);
        if (row is not null && before != default)
        {
            row.State = default;
            row.User ??= store.Cipher.EncryptCached(BudgetRow.UserAad, userId);
            store.SaveBudget(row);
        }

        // Audited either way; a user with nothing spent that day (or a mistyped name) gets no budget row.
        var seq = store.AppendAudit(new AuditEntry
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

    public static UserBudget Get(LedgerStore store, string userId, string? department)
    {
        var now = store.Now();
        var day = store.Window.DayKey(now);
        var row = store.FindBudget(BudgetRow.MakeId(day, store.UserIndex.Hash(userId)));
        var state = row?.State ?? default;
        var stored = row?.Department is { } d ? store.Cipher.Decrypt(BudgetRow.DepartmentAad, d) : null;
        var dept = department ?? stored;
        return new UserBudget
        {
            UserId = userId,
            Department = dept,
            DayKey = day,
            State = state,
            Spent = store.Policy.Spent(state),
            Budget = store.Policy.BudgetFor(dept),
        };
    }

    public static IReadOnlyList<UserBudget> List(LedgerStore store, BudgetFilter filter)
    {
        var day = filter.DayKey ?? store.Window.DayKey(store.Now());
        var result = new List<UserBudget>();
        var docs = filter.UserId is { } user
            ? store.Budgets.FindById(BudgetRow.MakeId(day, store.UserIndex.Hash(user))) is { } one ? [one] : []
            : store.Budgets.Find(LiteDB.Query.EQ("day", day)).ToList();
        foreach (var doc in docs)
        {
            var row = store.ReadBudget(doc);
            var department = row.Department is { } d ? store.Cipher.Decrypt(BudgetRow.DepartmentAad, d) : null;
            if (filter.Department is not null && !string.Equals(filter.Department, department, StringComparison.Ordinal))
            {
                continue;
            }

            result.Add(new UserBudget
            {
                UserId = row.User is { } u ? store.Cipher.Decrypt(BudgetRow.UserAad, u) : "",
                Department = department,
                DayKey = row.Day,
                State = row.State,
                Spent = store.Policy.Spent(row.State),
                Budget = store.Policy.BudgetFor(department),
            });
        }

        result.Sort((a, b) => string.CompareOrdinal(a.UserId, b.UserId));
        return result;
    }
}

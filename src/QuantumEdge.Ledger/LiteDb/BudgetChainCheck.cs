using System.Globalization;
using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Cross-checks budget rows against the audit chain: for each (day, user) the admitted charges,
/// refunds and admin resets in the chain must give the row's query count, so a row zeroed or
/// deleted outside the node is found even with a valid MAC (or none, before schema 2).
/// Only days that retention cannot have touched are compared: their row cannot have been pruned
/// and all their records are still in the chain. Memory: one entry per (day, user) inside the
/// data-retention window.
/// </summary>
internal sealed class BudgetChainCheck
{
    /// <summary>Written in a charge record's detail, so that the day a charge counts toward does not depend on the configured time zone.</summary>
    public const string DayPrefix = "budget_day=";

    private static readonly long Margin = TimeSpan.FromDays(2).Ticks;
    private static readonly long LongestDay = TimeSpan.FromHours(25).Ticks;

    private readonly LedgerStore _store;
    private readonly long _retentionCutoff;
    private readonly Dictionary<string, Expected> _expected = new(StringComparer.Ordinal);
    private long? _firstRecordTicks;

    public BudgetChainCheck(LedgerStore store)
    {
        _store = store;
        _retentionCutoff = store.Now().AddDays(-store.DataRetentionDays).UtcTicks;
    }

    /// <summary>Feeds one audit record, in seq order.</summary>
    public void Observe(BsonDocument record)
    {
        var ticks = record[AuditFields.Time].AsInt64;
        _firstRecordTicks ??= ticks;
        if (ticks < _retentionCutoff - Margin)
        {
            return;
        }

        var decision = AuditDocument.ReadString(record, AuditFields.Decision);
        var eventType = (AuditEventType)record[AuditFields.EventType].AsInt32;
        if (eventType == AuditEventType.Request && decision == AuditDecisions.Admitted)
        {
            if (AuditDocument.ReadBytes(record, AuditFields.UserHash) is { } user)
            {
                Change(BudgetRow.MakeId(DayOf(record), user), ticks, q => q + 1);
            }
        }
        else if (eventType == AuditEventType.Request && decision == AuditDecisions.Refunded)
        {
            if (!record[AuditFields.RelatedSeq].IsInt64 || _store.FindAudit(record[AuditFields.RelatedSeq].AsInt64) is not { } charge
                || AuditDocument.ReadBytes(charge, AuditFields.UserHash) is not { } user)
            {
                // The charge was pruned: its day is outside what is compared.
                return;
            }

            Change(BudgetRow.MakeId(DayOf(charge), user), charge[AuditFields.Time].AsInt64, q => q - 1);
        }
        else if (eventType == AuditEventType.Admin && decision == AuditDecisions.AdminBudgetReset
                 && ResetTarget(AuditDocument.ReadString(record, AuditFields.Detail)) is { } target)
        {
            Change(target, ticks, _ => 0);
        }
        else if (eventType == AuditEventType.Admin && decision == AuditDecisions.AdminDataSubjectErasure)
        {
            // An erasure empties every row it names: a later missing row is expected, a later charge starts from zero.
            foreach (var erased in ErasedRows(AuditDocument.ReadString(record, AuditFields.Detail)))
            {
                Change(erased, ticks, _ => 0);
            }
        }
    }

    /// <summary>Compares every comparable row with the chain; returns (row id, message) for each disagreement.</summary>
    public List<string> Compare(bool chainWasPruned)
    {
        var floor = Math.Max(_retentionCutoff, chainWasPruned ? _firstRecordTicks ?? long.MaxValue - Margin : long.MinValue + Margin) + Margin;
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var doc in _store.Budgets.FindAll())
        {
            BudgetRow row;
            try
            {
                row = BudgetRow.FromDocument(doc);
            }
            catch (Exception ex) when (ex is InvalidCastException or NullReferenceException)
            {
                problems.Add($"{BudgetSeal.Describe(doc)} is malformed");
                continue;
            }

            seen.Add(row.Id);
            if (row.ExpiresTicks - LongestDay < floor)
            {
                continue;
            }

            var expected = _expected.TryGetValue(row.Id, out var e) ? e.Queries : 0;
            if (row.State.Queries != expected)
            {
                problems.Add($"budget row '{row.Id}' holds {row.State.Queries} queries, but the audit chain's charges, refunds and resets for it give {expected}");
            }
        }

        foreach (var (id, e) in _expected)
        {
            if (!seen.Contains(id) && e.FirstTicks >= floor && e.Queries != 0)
            {
                problems.Add($"budget row '{id}' is missing, but the audit chain's charges, refunds and resets for it give {e.Queries} queries");
            }
        }

        problems.Sort(StringComparer.Ordinal);
        return problems;
    }

    private string DayOf(BsonDocument record) =>
        AuditDocument.ReadString(record, AuditFields.Detail) is { } detail && detail.StartsWith(DayPrefix, StringComparison.Ordinal)
            ? detail[DayPrefix.Length..]
            : _store.Window.DayKey(AuditDocument.Time(record));

    /// <summary>"target_user_hmac=HEX;day=DAY;…" of an admin reset, as a row id.</summary>
    private static IEnumerable<string> ErasedRows(string? detail)
    {
        string? user = null, days = null;
        foreach (var part in (detail ?? "").Split(';'))
        {
            if (part.StartsWith("target_user_hmac=", StringComparison.Ordinal))
            {
                user ??= part["target_user_hmac=".Length..];
            }
            else if (part.StartsWith("days=", StringComparison.Ordinal))
            {
                days ??= part["days=".Length..];
            }
        }

        return user is null || days is null
            ? []
            : days.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(day => string.Create(CultureInfo.InvariantCulture, $"{day}:{user}"));
    }

    private static string? ResetTarget(string? detail)
    {
        string? user = null, day = null;
        foreach (var part in (detail ?? "").Split(';'))
        {
            if (part.StartsWith("target_user_hmac=", StringComparison.Ordinal))
            {
                user ??= part["target_user_hmac=".Length..];
            }
            else if (part.StartsWith("day=", StringComparison.Ordinal))
            {
                day ??= part["day=".Length..];
            }
        }

        return user is null || day is null ? null : string.Create(CultureInfo.InvariantCulture, $"{day}:{user}");
    }

    private void Change(string id, long ticks, Func<long, long> change)
    {
        if (!_expected.TryGetValue(id, out var e))
        {
            e = new Expected { FirstTicks = ticks };
            _expected[id] = e;
        }

        e.Queries = change(e.Queries);
        e.FirstTicks = Math.Min(e.FirstTicks, ticks);
    }

    private sealed class Expected
    {
        public long Queries { get; set; }
        public long FirstTicks { get; set; }
    }
}

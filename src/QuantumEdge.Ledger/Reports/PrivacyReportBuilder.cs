using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Reports;

/// <summary>Builds a <see cref="PrivacyReport"/> from the audit trail (one chunked pass).</summary>
internal static class PrivacyReportBuilder
{
    private const int ChunkSize = 2048;

    public static Task<PrivacyReport> BuildAsync(IPrivacyLedger ledger, DateTimeOffset now, DateTimeOffset from, DateTimeOffset to, bool incidentMode,
        CancellationToken cancellationToken) =>
        BuildAsync(ledger, ReadAllAsync(ledger, cancellationToken), now, from, to, incidentMode, cancellationToken);

    /// <summary>A report over <paramref name="records"/> (every record, in any order: several chains merged), verified by <paramref name="ledger"/>.</summary>
    public static async Task<PrivacyReport> BuildAsync(IPrivacyLedger ledger, IAsyncEnumerable<AuditRecord> records, DateTimeOffset now,
        DateTimeOffset from, DateTimeOffset to, bool incidentMode, CancellationToken cancellationToken)
    {
        var recentFrom = now.AddHours(-24);
        var departments = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        var refusalsByDecision = new Dictionary<string, long>(StringComparer.Ordinal);
        var admin = new List<AuditRecord>();
        var recentRefusals = new List<AuditRecord>();
        var recentAdmin = new List<AuditRecord>();
        long requests = 0, admitted = 0, refusals = 0, refunds = 0;
        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var e = record.Entry;
            var refused = AuditDecisions.IsRefusal(e.Decision);
            if (incidentMode && record.Time >= recentFrom)
            {
                if (refused)
                {
                    recentRefusals.Add(record);
                }
                else if (e.EventType == AuditEventType.Admin)
                {
                    recentAdmin.Add(record);
                }
            }

            if (record.Time < from || record.Time >= to)
            {
                continue;
            }

            if (e.EventType == AuditEventType.Admin)
            {
                admin.Add(record);
                continue;
            }

            var department = e.Department ?? "(none)";
            if (!departments.TryGetValue(department, out var acc))
            {
                acc = new Accumulator();
                departments[department] = acc;
            }

            if (e.UserId is not null)
            {
                acc.Users.Add(e.UserId);
            }

            if (refused)
            {
                requests++;
                refusals++;
                acc.Refusals++;
                refusalsByDecision[e.Decision] = refusalsByDecision.GetValueOrDefault(e.Decision) + 1;
            }
            else if (e.Decision == AuditDecisions.Admitted)
            {
                requests++;
                admitted++;
                acc.Admitted++;
                acc.Epsilon += e.EpsilonCharged;
            }
            else if (e.Decision == AuditDecisions.Refunded)
            {
                refunds++;
                acc.Epsilon += e.EpsilonCharged;
            }
        }

        var verification = await ledger.VerifyAsync(cancellationToken).ConfigureAwait(false);
        return new PrivacyReport
        {
            GeneratedAt = now,
            From = from,
            To = to,
            Departments = departments.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new DepartmentSpend
            {
                Department = p.Key,
                Users = p.Value.Users.Count,
                AdmittedQueries = p.Value.Admitted,
                Refusals = p.Value.Refusals,
                EpsilonCharged = p.Value.Epsilon,
            }).ToArray(),
            Requests = requests,
            Admitted = admitted,
            Refusals = refusals,
            Refunds = refunds,
            RefusalsByDecision = refusalsByDecision,
            AdminActions = admin,
            Verification = verification,
            IncidentMode = incidentMode,
            RecentRefusals = recentRefusals,
            RecentAdminActions = recentAdmin,
        };
    }

    private static async IAsyncEnumerable<AuditRecord> ReadAllAsync(IPrivacyLedger ledger,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = long.MinValue;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await ledger.ReadAuditAsync(after, ChunkSize, cancellationToken).ConfigureAwait(false);
            foreach (var record in chunk)
            {
                yield return record;
            }

            if (chunk.Count < ChunkSize)
            {
                yield break;
            }

            after = chunk[^1].Seq;
        }
    }

    private sealed class Accumulator
    {
        public HashSet<string> Users { get; } = new(StringComparer.Ordinal);
        public long Admitted { get; set; }
        public long Refusals { get; set; }
        public double Epsilon { get; set; }
    }
}

using System.Globalization;
using System.Text;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Reports;

/// <summary>The privacy report for compliance officers (<c>privacy report [--incident-mode]</c>).</summary>
public sealed record PrivacyReport
{
    public required DateTimeOffset GeneratedAt { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required IReadOnlyList<DepartmentSpend> Departments { get; init; }
    public required long Requests { get; init; }
    public required long Admitted { get; init; }
    public required long Refusals { get; init; }
    public required long Refunds { get; init; }
    public required IReadOnlyDictionary<string, long> RefusalsByDecision { get; init; }
    public required IReadOnlyList<AuditRecord> AdminActions { get; init; }
    public required VerificationResult Verification { get; init; }
    public required bool IncidentMode { get; init; }

    /// <summary>Incident mode only: refusals of the last 24 h.</summary>
    public IReadOnlyList<AuditRecord> RecentRefusals { get; init; } = [];

    /// <summary>Incident mode only: admin actions of the last 24 h.</summary>
    public IReadOnlyList<AuditRecord> RecentAdminActions { get; init; } = [];

    public string RenderText()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"QuantumEdge privacy report{(IncidentMode ? " (INCIDENT MODE)" : "")}\n");
        text.Append(inv, $"period: {From:u} .. {To:u}   generated: {GeneratedAt:u}\n\n");
        text.Append(inv, $"requests charged: {Requests}   admitted: {Admitted}   refused: {Refusals}   refunded: {Refunds}\n\n");
        text.Append("spend per department\n");
        text.Append(inv, $"  {"department",-24} {"users",6} {"queries",9} {"refused",8} {"epsilon",10}\n");
        foreach (var d in Departments)
        {
            text.Append(inv, $"  {d.Department,-24} {d.Users,6} {d.AdmittedQueries,9} {d.Refusals,8} {d.EpsilonCharged,10:F4}\n");
        }

        text.Append("\nrefusals by decision\n");
        foreach (var (decision, count) in RefusalsByDecision.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(inv, $"  {decision,-44} {count,8}\n");
        }

        AppendRecords(text, "admin actions", AdminActions);
        if (IncidentMode)
        {
            AppendRecords(text, "refusals, last 24 h", RecentRefusals);
            AppendRecords(text, "admin actions, last 24 h", RecentAdminActions);
        }

        text.Append("\naudit chain: ").Append(Verification.ToString()).Append('\n');
        return text.ToString();
    }

    private static void AppendRecords(StringBuilder text, string title, IReadOnlyList<AuditRecord> records)
    {
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"\n{title} ({records.Count})\n");
        foreach (var r in records)
        {
            var e = r.Entry;
            // Stored fields can hold what a caller typed: printed with line breaks and escapes escaped.
            text.Append(inv, $"  #{r.Seq} {r.Time:u} user={AuditText.Display(e.UserId)} role={AuditText.Display(e.Role)} dept={AuditText.Display(e.Department)} {AuditText.Display(e.Decision)}");
            if (e.Detail is not null)
            {
                text.Append(inv, $" [{AuditText.Display(e.Detail)}]");
            }

            text.Append('\n');
        }
    }
}

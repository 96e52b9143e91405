using System.Text;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Tests;

public sealed class ExportTests
{
    [Fact]
    public async Task Exports_records_in_the_time_range_as_jsonl_and_csv_with_decrypted_fields()
    {
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 100 });
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("early"));
        ctx.Time.Advance(TimeSpan.FromHours(2));
        var from = ctx.Time.GetUtcNow();
        await ledger.ChargeAsync(LedgerTestContext.Charge("dr, \"quoted\"", "icu"));
        await ledger.ChargeAsync(LedgerTestContext.Charge("=cmd", "icu"));
        ctx.Time.Advance(TimeSpan.FromHours(2));
        var to = ctx.Time.GetUtcNow();
        await ledger.ChargeAsync(LedgerTestContext.Charge("late"));

        using var jsonl = new MemoryStream();
        Assert.Equal(2, await ledger.ExportAsync(jsonl, from, to, AuditExportFormat.Jsonl));
        var lines = Encoding.UTF8.GetString(jsonl.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal(2, first.RootElement.GetProperty("seq").GetInt64());
            Assert.Equal("dr, \"quoted\"", first.RootElement.GetProperty("user").GetString());
            Assert.Equal("icu", first.RootElement.GetProperty("department").GetString());
            Assert.Equal("admitted", first.RootElement.GetProperty("decision").GetString());
            Assert.Equal("request", first.RootElement.GetProperty("event_type").GetString());
            Assert.Equal(64, first.RootElement.GetProperty("hash").GetString()!.Length);
        }

        using var csv = new MemoryStream();
        Assert.Equal(2, await ledger.ExportAsync(csv, from, to, AuditExportFormat.Csv));
        var rows = Encoding.UTF8.GetString(csv.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("seq,time,event_type,request_id,user", rows[0], StringComparison.Ordinal);
        Assert.Contains("\"dr, \"\"quoted\"\"\"", rows[1], StringComparison.Ordinal);
        Assert.Contains(",'=cmd,", rows[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privacy_report_sums_spend_per_department_and_lists_refusals_and_admin_actions()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        var from = ctx.Time.GetUtcNow();
        var icu = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => ledger.ChargeAsync(LedgerTestContext.Charge("n1", "icu"))));
        await ledger.ChargeAsync(LedgerTestContext.Charge("d1", "oncology"));
        await ledger.ResetBudgetAsync("n1", new Budgets.AdminActor { UserId = "root", RequestId = "reset-1", Reason = "drill" });
        await ledger.RecordAsync(new AuditEntry { RequestId = "f", UserId = "n2", Department = "icu", Decision = AuditDecisions.RefusedForbidden, HttpStatus = 403 });

        var report = await ledger.ReportAsync(from, from.AddDays(1), incidentMode: true);
        var icuSpend = Assert.Single(report.Departments, d => d.Department == "icu");
        Assert.Equal(icu.Count(r => r.Admitted), icuSpend.AdmittedQueries);
        Assert.Equal(icu.Where(r => r.Admitted).Sum(r => r.Decision.Requested), icuSpend.EpsilonCharged, 9);
        Assert.Equal(icu.Count(r => !r.Admitted) + 1, icuSpend.Refusals);
        Assert.Equal(2, icuSpend.Users);
        Assert.Equal(1, report.RefusalsByDecision[AuditDecisions.RefusedForbidden]);
        Assert.Single(report.AdminActions);
        Assert.Single(report.RecentAdminActions);
        Assert.Equal(icu.Count(r => !r.Admitted) + 1, report.RecentRefusals.Count);
        Assert.True(report.Verification.IsValid);
        var text = report.RenderText();
        Assert.Contains("INCIDENT MODE", text, StringComparison.Ordinal);
        Assert.Contains("oncology", text, StringComparison.Ordinal);
        Assert.Contains("audit chain OK", text, StringComparison.Ordinal);

        var plain = await ledger.ReportAsync(from, from.AddDays(1));
        Assert.Empty(plain.RecentRefusals);
        Assert.DoesNotContain("INCIDENT", plain.RenderText(), StringComparison.Ordinal);
    }
}

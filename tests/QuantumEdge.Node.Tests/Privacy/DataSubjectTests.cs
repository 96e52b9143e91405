using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Cli;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>GDPR data-subject export and erasure (<c>compliance.enable_gdpr_compliance</c>): audited, the chain still verifies.</summary>
public sealed class DataSubjectTests
{
    private static Task<TestNode> StartAsync(bool gdpr = true, bool localAdmin = false) =>
        TestNode.StartAsync(
            [new TestNode.Sim("secure", TestNode.AllLevels)],
            configure: c => c with { Compliance = c.Compliance with { EnableGdprCompliance = gdpr } },
            localAdminSocket: localAdmin);

    private static async Task ChargeAsync(TestNode node, string sub, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var r = await node.Http.SendAsync(node.Chat(node.Token(sub: sub, department: "general"), "phi"));
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        }
    }

    private static HttpRequestMessage Admin(TestNode node, HttpMethod method, string path, string? body = null, string role = "admin")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", node.Token(role: role, sub: "dpo"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    [Fact]
    public async Task Export_lists_the_users_budget_rows_and_audit_metadata_only_and_is_audited()
    {
        await using var node = await StartAsync();
        await ChargeAsync(node, "dr.subject", 2);
        await ChargeAsync(node, "dr.other", 1);

        using var r = await node.Http.SendAsync(Admin(node, HttpMethod.Get, "/privacy/subject?user=dr.subject&reason=art15"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var export = await r.Content.ReadFromJsonAsync<JsonElement>();

        var pseudonym = export.GetProperty("pseudonym").GetString()!;
        Assert.Equal(64, pseudonym.Length);
        var row = Assert.Single(export.GetProperty("budget_rows").EnumerateArray());
        Assert.Equal(2, row.GetProperty("queries").GetInt64());
        var records = export.GetProperty("audit_records").EnumerateArray().ToList();
        Assert.Equal(2, records.Count(e => e.GetProperty("decision").GetString() == AuditDecisions.Admitted));
        Assert.All(records, e => Assert.Equal("doctor", e.GetProperty("role").GetString()));
        Assert.DoesNotContain("Summarise", export.GetRawText(), StringComparison.Ordinal);
        Assert.False(export.GetProperty("truncated").GetBoolean());
        var audit = await AuditTrail.AllAsync(node);
        var logged = Assert.Single(audit, a => a.Entry.Decision == AuditDecisions.AdminDataSubjectExport);
        Assert.Equal("dpo", logged.Entry.UserId);
        Assert.Contains($"target_user_hmac={pseudonym}", logged.Entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_removes_the_users_budget_rows_and_audit_verify_still_passes_before_and_after_new_charges()
    {
        await using var node = await StartAsync();
        await ChargeAsync(node, "dr.erase", 3);
        await ChargeAsync(node, "dr.stay", 1);

        using var r = await node.Http.SendAsync(Admin(node, HttpMethod.Post, "/privacy/subject/erase", """{"user":"dr.erase","reason":"art17"}"""));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var erased = await r.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, erased.GetProperty("budget_rows_erased").GetInt32());
        Assert.Equal(0, (await node.Node.Ledger.GetBudgetAsync("dr.erase", "general")).State.Queries);
        Assert.Equal(1, (await node.Node.Ledger.GetBudgetAsync("dr.stay", "general")).State.Queries);
        var verification = await node.Node.Ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
        var audit = await AuditTrail.AllAsync(node);
        Assert.Single(audit, a => a.Entry.Decision == AuditDecisions.AdminDataSubjectErasure && a.Seq == erased.GetProperty("audit_seq").GetInt64());

        // The user may work on; the new charges start from an empty row and the chain still agrees with it.
        await ChargeAsync(node, "dr.erase", 1);
        Assert.Equal(1, (await node.Node.Ledger.GetBudgetAsync("dr.erase", "general")).State.Queries);
        verification = await node.Node.Ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }

    [Theory]
    [InlineData("""{"user":"dr.erase","reason":"art17","scope":"all"}""", "unknown key 'scope'")]
    [InlineData("""{"user":"dr.erase","user":"dr.stay"}""", "duplicate key 'user'")]
    [InlineData("""{"user":"dr.erase","reason":"REASON201"}""", "'reason' is longer than 200 characters")]
    public async Task An_erasure_body_with_an_unknown_or_repeated_key_or_an_over_long_reason_is_refused_and_erases_nothing(string body, string named)
    {
        await using var node = await StartAsync();
        await ChargeAsync(node, "dr.erase", 2);

        using var r = await node.Http.SendAsync(Admin(node, HttpMethod.Post, "/privacy/subject/erase", body.Replace("REASON201", new string('r', 201), StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var (message, _, _) = await ErrorShape.ReadAsync(r);
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Equal(2, (await node.Node.Ledger.GetBudgetAsync("dr.erase", "general")).State.Queries);
        Assert.DoesNotContain(await AuditTrail.AllAsync(node), a => a.Entry.Decision == AuditDecisions.AdminDataSubjectErasure);
    }

    [Fact]
    public async Task With_the_switch_off_both_are_refused_and_nothing_changes()
    {
        await using var node = await StartAsync(gdpr: false);
        await ChargeAsync(node, "dr.kept", 1);

        using var export = await node.Http.SendAsync(Admin(node, HttpMethod.Get, "/privacy/subject?user=dr.kept"));
        using var erase = await node.Http.SendAsync(Admin(node, HttpMethod.Post, "/privacy/subject/erase", """{"user":"dr.kept"}"""));

        foreach (var r in new[] { export, erase })
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            var (message, _, code) = await ErrorShape.ReadAsync(r);
            Assert.Equal("gdpr_disabled", code);
            Assert.Contains("enable_gdpr_compliance", message, StringComparison.Ordinal);
        }

        Assert.Equal(1, (await node.Node.Ledger.GetBudgetAsync("dr.kept", "general")).State.Queries);
    }

    [Fact]
    public async Task Only_admins_may_export_or_erase()
    {
        await using var node = await StartAsync();

        using var r = await node.Http.SendAsync(Admin(node, HttpMethod.Post, "/privacy/subject/erase", """{"user":"dr.x"}""", role: "doctor"));

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.DoesNotContain(await AuditTrail.AllAsync(node), a => a.Entry.Decision == AuditDecisions.AdminDataSubjectErasure);
    }

    [Fact]
    public async Task The_cli_path_through_the_admin_socket_erases_and_audits_the_operator()
    {
        await using var node = await StartAsync(localAdmin: true);
        await ChargeAsync(node, "dr.socket", 2);
        using var admin = LocalAdminClient.TryCreate(node.Node.Config);
        Assert.NotNull(admin);

        using var r = await admin.SendAsync(HttpMethod.Post, "/local/privacy/subject/erase?user=dr.socket&by=ops&reason=ticket-42", CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(0, (await node.Node.Ledger.GetBudgetAsync("dr.socket", "general")).State.Queries);
        var record = Assert.Single(await AuditTrail.AllAsync(node), a => a.Entry.Decision == AuditDecisions.AdminDataSubjectErasure);
        Assert.Equal("ops", record.Entry.UserId);
        Assert.Contains("reason=ticket-42", record.Entry.Detail, StringComparison.Ordinal);
        Assert.True((await node.Node.Ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task The_admin_socket_refuses_repeated_or_broken_parameters_naming_them_and_does_nothing()
    {
        await using var node = await StartAsync(localAdmin: true);
        using var admin = LocalAdminClient.TryCreate(node.Node.Config);
        Assert.NotNull(admin);
        var backups = Path.Combine(Path.GetTempPath(), "qe-socket-" + Guid.NewGuid().ToString("N"));
        var before = (await AuditTrail.AllAsync(node)).Count;

        (HttpMethod Method, string Query, string Named)[] cases =
        [
            (HttpMethod.Get, "/local/audit/export?from=garbage", "'from' is not a date/time"),
            (HttpMethod.Get, "/local/audit/export?from=2026-11-02&to=2026-11-01", "'from' (2026-11-02"),
            (HttpMethod.Get, "/local/audit/export?format=xml", "'format' must be jsonl or csv"),
            (HttpMethod.Get, "/local/privacy/report?to=soon", "'to' is not a date/time"),
            (HttpMethod.Post, $"/local/backup?out={Uri.EscapeDataString(backups + "/a")}&out={Uri.EscapeDataString(backups + "/b")}", "'out' is given 2 times"),
            (HttpMethod.Post, $"/local/backup?out={Uri.EscapeDataString(backups)}%00x", "'out' holds a control character"),
            (HttpMethod.Get, "/local/privacy/subject?user=a&user=b", "'user' is given 2 times"),
            (HttpMethod.Get, "/local/privacy/subject?user=a&by=%00%00", "'by' holds a control character"),
        ];

        foreach (var (method, query, named) in cases)
        {
            using var r = await admin.SendAsync(method, query, CancellationToken.None);
            var body = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)r.StatusCode} {body}");
            Assert.Contains(named, body, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(backups));
        Assert.Equal(before, (await AuditTrail.AllAsync(node)).Count);
    }
}

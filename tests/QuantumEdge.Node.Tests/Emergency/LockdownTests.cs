using System.Net;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary><c>admin lockdown</c> and <c>security.security_lockdown</c>: only callers with the <c>all</c> permission get through.</summary>
public sealed class LockdownTests
{
    [Fact]
    public async Task Lockdown_refuses_everyone_but_administrators_with_503_node_locked_down_and_is_audited()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using (var on = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":true,"reason":"suspected breach"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            using var doc = JsonDocument.Parse(await on.Content.ReadAsStringAsync());
            Assert.True(doc.RootElement.GetProperty("locked_down").GetBoolean());
            Assert.Equal("admin", doc.RootElement.GetProperty("lockdown_source").GetString());
        }

        using (var doctor = await node.Http.SendAsync(node.Chat(node.Token())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, doctor.StatusCode);
            Assert.Equal("node_locked_down", (await ErrorShape.ReadAsync(doctor)).Code);
        }

        using (var models = await EmergencyCalls.GetAsync(node, "/v1/models", node.Token()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, models.StatusCode);
            Assert.Equal("node_locked_down", (await ErrorShape.ReadAsync(models)).Code);
        }

        using (var admin = await node.Http.SendAsync(node.Chat(node.Token("admin", "it", "it.admin"))))
        {
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }

        using (var health = await node.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var doc = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            Assert.Equal("locked_down", doc.RootElement.GetProperty("status").GetString());
        }

        using (var ready = await node.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var off = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":false}"""))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        using (var doctor = await node.Http.SendAsync(node.Chat(node.Token())))
        {
            Assert.Equal(HttpStatusCode.OK, doctor.StatusCode);
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == AuditDecisions.AdminLockdownOff);
        var lockRecord = Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminLockdownOn);
        Assert.Equal(AuditEventType.Admin, lockRecord.Entry.EventType);
        Assert.Equal("it.admin", lockRecord.Entry.UserId);
        Assert.Contains("reason=suspected breach", lockRecord.Entry.Detail, StringComparison.Ordinal);
        Assert.Contains(records, r => r.Entry.Decision == "refused:node_locked_down");
        Assert.True((await node.Node.Ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Only_administrators_may_switch_and_the_body_is_checked()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using (var doctor = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":true}""", node.Token()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, doctor.StatusCode);
        }

        using (var anonymous = await node.Http.PostAsync("/admin/halt", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        foreach (var body in new[] { "{}", """{"enabled":"yes"}""", """{"enabled":true,"everyone":false}""", "[1]", "{\"enabled\":tru" })
        {
            using var bad = await EmergencyCalls.PostAsync(node, "/admin/lockdown", body);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        Assert.False((await EmergencyCalls.StateAsync(node)).GetProperty("locked_down").GetBoolean());

        // The doctor's attempt is a decision about a known person: audited, naming endpoint and permission.
        var refused = Assert.Single(await AuditTrail.AllAsync(node), r => r.Entry.Decision == AuditDecisions.RefusedForbidden);
        Assert.Equal("dr.test", refused.Entry.UserId);
        Assert.Equal(403, refused.Entry.HttpStatus);
        Assert.Equal("endpoint=POST /admin/lockdown;needs=all", refused.Entry.Detail);
    }

    [Fact]
    public async Task A_reason_cannot_forge_a_report_line_or_a_detail_key()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        // JSON escapes: a line break, ESC and a right-to-left override arrive as those characters.
        const string reason = """x]\n  #999 2026-12-01 03:20:00Z user=admin role=admin dept= admin:lockdown_off [reason=all clear;scope=none\u001b[2J\u202e""";

        using (var on = await EmergencyCalls.PostAsync(node, "/admin/lockdown", $$"""{"enabled":true,"reason":"{{reason}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        var record = Assert.Single(await AuditTrail.AllAsync(node), r => r.Entry.Decision == AuditDecisions.AdminLockdownOn);
        var detail = record.Entry.Detail!;
        Assert.DoesNotContain('\n', detail);
        Assert.DoesNotContain('\u001b', detail);
        Assert.DoesNotContain('\u202e', detail);
        Assert.Equal(1, detail.Split(';').Count(p => p.StartsWith("reason", StringComparison.Ordinal)));
        Assert.DoesNotContain(";scope=none", detail, StringComparison.Ordinal);
        Assert.Contains("%0A  #999", detail, StringComparison.Ordinal);
        Assert.Contains("%3Bscope%3Dnone%1B[2J%u202E", detail, StringComparison.Ordinal);

        var report = (await node.Node.Ledger.ReportAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), incidentMode: true, default)).RenderText();
        Assert.DoesNotContain("\n  #999", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lockdown_survives_a_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir))
            {
                first.KeepDataDirectory = true;
                using var on = await EmergencyCalls.PostAsync(first, "/admin/lockdown", """{"enabled":true}""");
                Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            }

            await using var second = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir);
            second.KeepDataDirectory = true;
            using var doctor = await second.Http.SendAsync(second.Chat(second.Token()));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, doctor.StatusCode);
            Assert.Equal("node_locked_down", (await ErrorShape.ReadAsync(doctor)).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Config_lockdown_locks_at_start_and_is_not_lifted_at_run_time()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)],
            configure: c => c with { Security = c.Security with { SecurityLockdown = true } });
        using (var doctor = await node.Http.SendAsync(node.Chat(node.Token())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, doctor.StatusCode);
            Assert.Equal("node_locked_down", (await ErrorShape.ReadAsync(doctor)).Code);
        }

        using var off = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":false}""");
        Assert.Equal(HttpStatusCode.Conflict, off.StatusCode);
        Assert.Contains("security.security_lockdown", (await ErrorShape.ReadAsync(off)).Message, StringComparison.Ordinal);
        Assert.Equal("config", (await EmergencyCalls.StateAsync(node)).GetProperty("lockdown_source").GetString());

        // The refused attempt is an administrator's decision on the record, naming what was asked.
        var refused = Assert.Single(await AuditTrail.AllAsync(node), r => r.Entry.Decision == "refused:lockdown_configured").Entry;
        Assert.Equal(409, refused.HttpStatus);
        Assert.Equal("it.admin", refused.UserId);
        Assert.Equal("action=admin:lockdown_off", refused.Detail);
    }

    [Fact]
    public async Task A_lockdown_asked_for_twice_is_audited_twice_the_second_as_unchanged()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using (var on = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":true,"reason":"ransomware"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        using var again = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":true,"reason":"still ransomware"}""");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var doc = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("changed").GetBoolean());
        var records = await AuditTrail.AllAsync(node);
        Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminLockdownOn);
        var unchanged = Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminActionUnchanged);
        Assert.Equal("action=admin:lockdown_on;reason=still ransomware", unchanged.Entry.Detail);
        Assert.Equal(unchanged.Seq, doc.RootElement.GetProperty("audit_seq").GetInt64());
    }

    [Fact]
    public void Config_key_security_lockdown_is_read()
    {
        var config = Gateway.Configuration.ConfigurationLoader.Parse("security:\n  security_lockdown: true\n", "test", _ => null);
        Assert.True(config.Security.SecurityLockdown);
        Assert.False(Gateway.Configuration.ConfigurationLoader.Parse("security: {}\n", "test", _ => null).Security.SecurityLockdown);
    }
}

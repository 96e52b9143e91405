using System.Net;
using System.Text;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Compliance;
using QuantumEdge.Node.Hosting;
using QuantumEdge.Node.Tests.Emergency;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Compliance;

/// <summary><c>compliance.notify_url</c>: a signed webhook on emergency events and for the manual notice, retried with backoff, audited.</summary>
public sealed class ComplianceNotificationTests
{
    private const string Secret = "compliance-webhook-secret-for-tests";

    [Fact]
    public async Task Lockdown_and_a_manual_notice_reach_the_webhook_signed_and_without_patient_data_after_retries()
    {
        await using var hook = await ComplianceWebhook.StartAsync(failFirst: 2);
        await using var node = await StartAsync(hook);
        using (var on = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":true,"reason":"patient MRN 12345678 record leak"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        var lockdown = await hook.WaitForAsync(d => d.Event == "lockdown_on");
        Assert.Equal(ComplianceNotifier.Sign(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(lockdown.Body)), lockdown.Signature);
        using (var doc = JsonDocument.Parse(lockdown.Body))
        {
            Assert.Equal("critical", doc.RootElement.GetProperty("severity").GetString());
            Assert.Equal("test-node", doc.RootElement.GetProperty("node_id").GetString());
            Assert.True(doc.RootElement.TryGetProperty("time", out _));
        }

        // The reason is the audit's, not the webhook's: nothing an admin typed about a patient leaves the node this way.
        Assert.DoesNotContain("12345678", lockdown.Body, StringComparison.Ordinal);
        Assert.True(hook.Attempts >= 3, "two failures, then the delivery");

        using (var notice = await EmergencyCalls.PostAsync(node, "/admin/notify-compliance", """{"severity":"critical","message":"Breach procedure started"}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, notice.StatusCode);
        }

        var manual = await hook.WaitForAsync(d => d.Event == "manual_notice");
        Assert.Contains("Breach procedure started", manual.Body, StringComparison.Ordinal);
        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "compliance:notified" && r.Entry.Detail!.Contains("event=manual_notice", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Entry.Decision == "compliance:notified" && r.Entry.Detail!.Contains("event=lockdown_on;severity=critical;attempts=3", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Entry.Decision == "admin:compliance_notice");
    }

    [Fact]
    public async Task An_unreachable_webhook_never_blocks_the_request_and_the_failure_is_audited()
    {
        await using var hook = await ComplianceWebhook.StartAsync(failFirst: int.MaxValue);
        await using var node = await StartAsync(hook);
        using (var halt = await EmergencyCalls.PostAsync(node, "/admin/halt", "{}"))
        {
            Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "compliance:notify_failed");
        Assert.Contains(records, r => r.Entry.Detail == $"event=halt;severity=critical;attempts={ComplianceNotifier.MaxAttempts};status=500");
        Assert.Equal(ComplianceNotifier.MaxAttempts, hook.Attempts);
    }

    [Theory]
    [InlineData("""{"severity":"urgent","message":"x"}""", "invalid_severity")]
    [InlineData("""{"message":"x"}""", "invalid_severity")]
    [InlineData("""{"severity":"critical"}""", "invalid_request")]
    public async Task A_bad_manual_notice_is_refused(string body, string code)
    {
        await using var hook = await ComplianceWebhook.StartAsync();
        await using var node = await StartAsync(hook);
        using var r = await EmergencyCalls.PostAsync(node, "/admin/notify-compliance", body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(code, (await ErrorShape.ReadAsync(r)).Code);
    }

    [Fact]
    public async Task Without_a_notify_url_the_manual_notice_says_so()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var r = await EmergencyCalls.PostAsync(node, "/admin/notify-compliance", """{"severity":"info","message":"x"}""");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Contains("compliance.notify_url", (await ErrorShape.ReadAsync(r)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_needs_a_secret_variable_and_an_http_url()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("compliance:\n  notify_url: https://compliance.example/hook\n", "test", _ => null));
        Assert.Contains("notify_secret_env", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("compliance:\n  notify_url: ftp://x/y\n  notify_secret_env: S\n", "test", _ => null));
        Assert.Contains("notify_url", e.Message, StringComparison.Ordinal);
        var ok = ConfigurationLoader.Parse("compliance:\n  notify_url: https://compliance.example/hook?token=abc\n  notify_secret_env: S\n", "test", _ => null);
        Assert.Equal("S", ok.Compliance.NotifySecretEnv);
        Assert.DoesNotContain("token=abc", ConfigurationPrinter.Print(ok), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unset_secret_variable_stops_the_node_from_starting()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)],
            environment: _ => null,
            configure: c => c with { Compliance = c.Compliance with { NotifyUrl = new Uri("http://127.0.0.1:9/hook"), NotifySecretEnv = "COMPLIANCE_SECRET" } }));
        Assert.Contains("COMPLIANCE_SECRET", e.Message, StringComparison.Ordinal);
    }

    private static Task<TestNode> StartAsync(ComplianceWebhook hook) => TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)],
        environment: name => name == "COMPLIANCE_SECRET" ? Secret : null,
        configure: c => c with { Compliance = c.Compliance with { NotifyUrl = new Uri(hook.Url), NotifySecretEnv = "COMPLIANCE_SECRET" } },
        compliance: new ComplianceTimings { RetryBase = TimeSpan.FromMilliseconds(10), WatchInterval = TimeSpan.FromMilliseconds(50) });
}

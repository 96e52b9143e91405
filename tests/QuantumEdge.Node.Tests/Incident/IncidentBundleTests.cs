using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QuantumEdge.Node.Incident;
using QuantumEdge.Node.Tests.Emergency;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Incident;

/// <summary><c>incident collect</c>'s bundle: signed by the node key, complete, and free of prompt text and plain user ids.</summary>
public sealed class IncidentBundleTests
{
    [Fact]
    public async Task The_bundle_holds_the_window_signed_and_without_prompts_or_plain_user_ids()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using (var chat = await node.Http.SendAsync(node.Chat(node.Token(sub: "dr.incident"), content: "Secret handover text for bed 7")))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        using (var halt = await EmergencyCalls.PostAsync(node, "/admin/halt", "{}"))
        {
            Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
        }

        await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "completed");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/incident?since=3600");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EmergencyCalls.Admin(node));
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var signature = Convert.FromBase64String(response.Headers.GetValues(IncidentBundle.SignatureHeader).Single());
        Assert.True(node.Node.Ledger.NodeIdentity.Verify(IncidentBundle.SignedMessage(SHA256.HashData(bytes)), signature));
        bytes[bytes.Length / 2] ^= 1;
        Assert.False(node.Node.Ledger.NodeIdentity.Verify(IncidentBundle.SignedMessage(SHA256.HashData(bytes)), signature));
        bytes[bytes.Length / 2] ^= 1;

        var text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("Secret handover", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dr.incident", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestNode.Secret, text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        Assert.Equal("quantumedge-incident/1", root.GetProperty("format").GetString());
        Assert.True(root.GetProperty("audit_verification").GetProperty("valid").GetBoolean());
        Assert.True(root.GetProperty("emergency_state").GetProperty("halted").GetBoolean());
        Assert.True(root.GetProperty("privacy_report").GetProperty("incident_mode").GetBoolean());
        var records = root.GetProperty("audit_records").EnumerateArray().ToList();
        Assert.Contains(records, r => r.GetProperty("decision").GetString() == "completed" && r.GetProperty("user_hmac").GetString()!.Length == 64);
        Assert.Contains(records, r => r.GetProperty("decision").GetString() == "admin:halt");
        Assert.Contains("quantumedge_requests_total", root.GetProperty("metrics").GetString(), StringComparison.Ordinal);
        Assert.Contains("JWT_SECRET: ****** (set)", root.GetProperty("effective_config").GetString(), StringComparison.Ordinal);
        Assert.Contains("no log files", root.GetProperty("logs").GetString(), StringComparison.Ordinal);
        Assert.Contains(await AuditTrail.AllAsync(node), r => r.Entry.Decision == "admin:incident_collected");
    }

    [Theory]
    [InlineData("")]
    [InlineData("1h")]
    [InlineData("-5")]
    [InlineData("99999999999")]
    public async Task A_bad_window_is_refused(string since)
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/incident?since=" + Uri.EscapeDataString(since));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EmergencyCalls.Admin(node));
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Only_administrators_collect()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/incident?since=60");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", node.Token());
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

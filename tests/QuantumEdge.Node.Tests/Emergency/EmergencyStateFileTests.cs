using System.Net;
using System.Text;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary>
/// emergency-state.json is signed with the node key; a corrupt, truncated or edited file is not
/// trusted: the node starts locked down with every earlier token revoked, audits that, and keeps the file aside.
/// </summary>
public sealed class EmergencyStateFileTests
{
    public static TheoryData<string> Damage => new() { "garbage", "truncated", "edited", "empty" };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_or_edited_state_file_starts_the_node_locked_down(string damage)
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-test-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "emergency-state.json");
        try
        {
            string early;
            await using (var first = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir))
            {
                first.KeepDataDirectory = true;
                early = EmergencyCalls.Admin(first);
                using var halt = await EmergencyCalls.PostAsync(first, "/admin/halt", "{}");
                Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
            }

            var text = await File.ReadAllTextAsync(path);
            await File.WriteAllTextAsync(path, damage switch
            {
                "garbage" => "\u0001\u0002 not json",
                "truncated" => text[..(text.Length / 2)],
                "empty" => "",
                _ => Edited(text),
            });

            await using var second = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir);
            second.KeepDataDirectory = true;
            // A token younger than the distrusted start: not revoked, but the node is locked down.
            var doctorAfter = second.Auth.Issue("dr.test", "doctor", "er", TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow.AddSeconds(2));
            using (var doctor = await second.Http.SendAsync(second.Chat(doctorAfter)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, doctor.StatusCode);
                Assert.Equal("node_locked_down", (await ErrorShape.ReadAsync(doctor)).Code);
            }

            // Tokens issued before the distrusted start are revoked, administrators' too.
            using (var old = await EmergencyCalls.GetAsync(second, "/admin/emergency", early))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
                Assert.Equal("token_revoked", (await ErrorShape.ReadAsync(old)).Code);
            }

            var admin = EmergencyCalls.Admin(second, TimeSpan.FromSeconds(2));
            using (var state = await EmergencyCalls.GetAsync(second, "/admin/emergency", admin))
            {
                using var doc = JsonDocument.Parse(await state.Content.ReadAsStringAsync());
                Assert.Equal("distrusted_state", doc.RootElement.GetProperty("lockdown_source").GetString());
                Assert.Contains("emergency-state.json", doc.RootElement.GetProperty("state_problem").GetString(), StringComparison.Ordinal);
            }

            Assert.Single(Directory.GetFiles(dir, "emergency-state.json.distrusted-*"));
            Assert.Contains(await AuditTrail.AllAsync(second), r => r.Entry.Decision == AuditDecisions.EmergencyStateDistrusted);
            using (var off = await EmergencyCalls.PostAsync(second, "/admin/lockdown", """{"enabled":false}""", admin))
            {
                Assert.Equal(HttpStatusCode.OK, off.StatusCode);
            }

            using var served = await EmergencyCalls.GetAsync(second, "/v1/models", doctorAfter);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_directory_in_the_state_files_place_locks_the_node_down_and_a_change_it_cannot_persist_is_audited_as_not_applied()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "emergency-state.json"));
        try
        {
            await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir);
            node.KeepDataDirectory = true;
            var doctor = node.Auth.Issue("dr.test", "doctor", "er", TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow.AddSeconds(2));
            using (var refused = await node.Http.SendAsync(node.Chat(doctor)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal("node_locked_down", (await ErrorShape.ReadAsync(refused)).Code);
            }

            var admin = EmergencyCalls.Admin(node, TimeSpan.FromSeconds(2));
            using (var state = await EmergencyCalls.GetAsync(node, "/admin/emergency", admin))
            {
                using var doc = JsonDocument.Parse(await state.Content.ReadAsStringAsync());
                Assert.Equal("distrusted_state", doc.RootElement.GetProperty("lockdown_source").GetString());
                Assert.Contains("is a directory", doc.RootElement.GetProperty("state_problem").GetString(), StringComparison.Ordinal);
            }

            using (var off = await EmergencyCalls.PostAsync(node, "/admin/lockdown", """{"enabled":false}""", admin))
            {
                Assert.Equal(HttpStatusCode.InternalServerError, off.StatusCode);
                Assert.Equal("state_not_persisted", (await ErrorShape.ReadAsync(off)).Code);
            }

            // The lift was audited ahead of the write that failed; the next record says it was not applied.
            var audit = await AuditTrail.AllAsync(node);
            var lift = Assert.Single(audit, r => r.Entry.Decision == AuditDecisions.AdminLockdownOff);
            var undone = Assert.Single(audit, r => r.Entry.Decision == AuditDecisions.AdminActionNotApplied);
            Assert.Equal(lift.Seq, undone.Entry.RelatedSeq);
            Assert.Equal("action=admin:lockdown_off;problem=state_not_persisted", undone.Entry.Detail);
            using var still = await node.Http.SendAsync(node.Chat(doctor));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, still.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_absent_state_file_is_no_emergency()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        Assert.False(File.Exists(Path.Combine(EmergencyCalls.DataDir(node), "emergency-state.json")));
        using var r = await node.Http.SendAsync(node.Chat(node.Token()));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    /// <summary>Turns the halt off in the signed payload without re-signing it: what an intruder editing the file would do.</summary>
    private static string Edited(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(doc.RootElement.GetProperty("payload").GetString()!));
        var edited = payload.Replace("\"halted\":true", "\"halted\":false", StringComparison.Ordinal);
        Assert.NotEqual(payload, edited);
        return text.Replace(doc.RootElement.GetProperty("payload").GetString()!, Convert.ToBase64String(Encoding.UTF8.GetBytes(edited)), StringComparison.Ordinal);
    }
}

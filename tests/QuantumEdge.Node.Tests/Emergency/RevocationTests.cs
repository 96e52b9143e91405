using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary><c>admin revoke-tokens</c>: tokens issued before the stamp are refused (401 token_revoked) without rotating secrets.</summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task Revoking_everyone_refuses_earlier_tokens_even_ones_already_validated_and_cached()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        var early = node.Token();
        using (var first = await node.Http.SendAsync(node.Chat(early)))
        {
            // Validated once: the token now sits in the validated-token cache.
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var revoke = await EmergencyCalls.PostAsync(node, "/admin/revoke-tokens", """{"reason":"laptop stolen"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using (var again = await node.Http.SendAsync(node.Chat(early)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
            var error = await ErrorShape.ReadAsync(again);
            Assert.Equal("token_revoked", error.Code);
            Assert.Contains("revoked", error.Message, StringComparison.Ordinal);
        }

        using (var models = await EmergencyCalls.GetAsync(node, "/v1/models", early))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
            Assert.Equal("token_revoked", (await ErrorShape.ReadAsync(models)).Code);
        }

        // A token issued after the stamp (iat has whole seconds) is served, with the same JWT_SECRET.
        var fresh = node.Auth.Issue("dr.test", "doctor", "emergency", TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow.AddSeconds(2));
        using (var later = await node.Http.SendAsync(node.Chat(fresh)))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refused:token_revoked");
        var revocation = Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminRevokeTokens);
        Assert.StartsWith("scope=all;before=", revocation.Entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_one_user_leaves_the_others_and_never_stores_the_plain_subject()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        var revoked = node.Token(sub: "dr.revoked");
        var other = node.Token(sub: "dr.other");
        using (var revoke = await EmergencyCalls.PostAsync(node, "/admin/revoke-tokens", """{"sub":"dr.revoked"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using (var r = await node.Http.SendAsync(node.Chat(revoked)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("token_revoked", (await ErrorShape.ReadAsync(r)).Code);
        }

        using (var r = await node.Http.SendAsync(node.Chat(other)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.Equal(1, (await EmergencyCalls.StateAsync(node)).GetProperty("users_revoked").GetInt32());
        var file = await File.ReadAllTextAsync(Path.Combine(EmergencyCalls.DataDir(node), "emergency-state.json"));
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(System.Text.Json.JsonDocument.Parse(file).RootElement.GetProperty("payload").GetString()!));
        Assert.DoesNotContain("dr.revoked", payload, StringComparison.Ordinal);
        var audit = await AuditTrail.AllAsync(node);
        Assert.DoesNotContain(audit, r => r.Entry.Detail?.Contains("dr.revoked", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_token_without_iat_is_refused_once_everyone_is_revoked()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var noIat = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = node.Node.Config.Auth.Issuer,
            Audience = node.Node.Config.Auth.Audience,
            Expires = DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = "dr.noiat", ["role"] = "doctor", ["department"] = "er" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestNode.Secret)), SecurityAlgorithms.HmacSha256),
        });
        using (var before = await node.Http.SendAsync(node.Chat(noIat)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // A revocation in the past still catches a token that cannot say when it was issued.
        using (var revoke = await EmergencyCalls.PostAsync(node, "/admin/revoke-tokens", """{"before":"2001-01-01T00:00:00Z"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var after = await node.Http.SendAsync(node.Chat(noIat));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("token_revoked", (await ErrorShape.ReadAsync(after)).Code);
        using var normal = await node.Http.SendAsync(node.Chat(node.Token()));
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
    }

    [Theory]
    [InlineData("""{"before":"yesterday"}""")]
    [InlineData("""{"before":"2026-11-29 08:00:00"}""")]
    [InlineData("""{"before":"2026-11-29T08:00:00"}""")]
    [InlineData("""{"before":"2026-13-40T08:00:00Z"}""")]
    [InlineData("""{"before":"2999-01-01T00:00:00Z"}""")]
    [InlineData("""{"sub":""}""")]
    [InlineData("""{"sub":42}""")]
    [InlineData("""{"user":"dr.x"}""")]
    public async Task Hostile_revocations_are_refused_with_400_and_change_nothing(string body)
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var r = await EmergencyCalls.PostAsync(node, "/admin/revoke-tokens", body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var state = await EmergencyCalls.StateAsync(node);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, state.GetProperty("all_tokens_revoked_before").ValueKind);
        Assert.Equal(0, state.GetProperty("users_revoked").GetInt32());
        Assert.DoesNotContain(await AuditTrail.AllAsync(node), r => r.Entry.Decision == AuditDecisions.AdminRevokeTokens);
    }

    [Fact]
    public async Task A_revocation_refused_for_a_future_stamp_is_audited_with_what_was_asked()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using var r = await EmergencyCalls.PostAsync(node, "/admin/revoke-tokens", """{"before":"2999-01-01T00:00:00Z","reason":"typo"}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("invalid_before", (await ErrorShape.ReadAsync(r)).Code);
        var refused = Assert.Single(await AuditTrail.AllAsync(node), x => x.Entry.Decision == "refused:invalid_before").Entry;
        Assert.Equal(400, refused.HttpStatus);
        Assert.Equal("action=admin:revoke_tokens;scope=all;reason=typo", refused.Detail);
    }

    [Fact]
    public async Task Revocation_survives_a_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            string token;
            await using (var first = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir))
            {
                first.KeepDataDirectory = true;
                token = first.Token(sub: "dr.gone");
                using var revoke = await EmergencyCalls.PostAsync(first, "/admin/revoke-tokens", """{"sub":"dr.gone"}""");
                Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
            }

            await using var second = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir);
            second.KeepDataDirectory = true;
            using var r = await second.Http.SendAsync(second.Chat(token));
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("token_revoked", (await ErrorShape.ReadAsync(r)).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

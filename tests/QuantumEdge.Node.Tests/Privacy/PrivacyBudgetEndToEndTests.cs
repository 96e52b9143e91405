using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>Privacy budgets in the request path: charged, refused with 429, released, reset, reported.</summary>
public sealed class PrivacyBudgetEndToEndTests
{
    private static Task<TestNode> StartAsync(double budget = 0.5, string composition = "basic", SimulatedBackendOptions? sim = null) =>
        TestNode.StartAsync(
            [new TestNode.Sim("secure", TestNode.AllLevels, sim)],
            configure: c => c with
            {
                Privacy = c.Privacy with
                {
                    EpsilonPerQuery = 0.1,
                    CompositionMethod = composition,
                    MaxBudgetPerUser = budget,
                    DepartmentBudgets = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) { ["research"] = 0.3 },
                },
            });

    [Fact]
    public async Task Concurrent_requests_by_one_user_get_exactly_the_budget()
    {
        await using var node = await StartAsync(budget: 0.5);
        var token = node.Token(sub: "dr.busy", department: "general");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var r = await node.Http.SendAsync(node.Chat(token, "phi"));
            return r.StatusCode;
        }));

        var expected = (int)node.Node.Ledger.Policy.AffordableQueries(default, "general");
        Assert.Equal(5, expected);
        Assert.Equal(expected, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40 - expected, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var budget = await node.Node.Ledger.GetBudgetAsync("dr.busy", "general");
        Assert.Equal(expected, budget.State.Queries);
        Assert.True(budget.Spent <= budget.Budget + 1e-9);
        Assert.Equal(expected, node.Sims[0].Received);
    }

    [Fact]
    public async Task Exhaustion_is_429_with_retry_after_and_the_amounts()
    {
        await using var node = await StartAsync(budget: 0.2);
        var token = node.Token(sub: "dr.a", department: "general");
        for (var i = 0; i < 2; i++)
        {
            using var ok = await node.Http.SendAsync(node.Chat(token, "clinical_notes"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await node.Http.SendAsync(node.Chat(token, "phi"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retry = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retry, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        var (message, _, code) = await ErrorShape.ReadAsync(refused);
        Assert.Equal("insufficient_privacy_budget", code);
        Assert.Contains("spent ε=0.2000", message, StringComparison.Ordinal);
        Assert.Contains("needs ε=0.1000", message, StringComparison.Ordinal);
        Assert.Contains("remaining ε=0.0000", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Internal_and_public_requests_are_free_and_department_budgets_apply()
    {
        await using var node = await StartAsync(budget: 0.5);
        var researcher = node.Token(role: "researcher", sub: "res.x", department: "research");
        for (var i = 0; i < 6; i++)
        {
            using var free = await node.Http.SendAsync(node.Chat(researcher, "research_data"));
            Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var r = await node.Http.SendAsync(node.Chat(researcher, "phi"));
            statuses.Add(r.StatusCode);
        }

        // research's department budget is 0.3: three charged queries, then refusals.
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Charge_of_a_request_that_got_no_answer_is_released()
    {
        await using var node = await StartAsync(budget: 0.5, sim: new SimulatedBackendOptions { Name = "secure", TimeScale = 0, FailWithStatus = 500 });
        var token = node.Token(sub: "dr.unlucky", department: "general");
        using var failed = await node.Http.SendAsync(node.Chat(token, "phi"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var budget = await node.Node.Ledger.GetBudgetAsync("dr.unlucky", "general");
        Assert.Equal(0, budget.Spent, 12);
        Assert.True((await node.Node.Ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Budgets_endpoint_shows_own_budget_and_admin_sees_and_resets_all()
    {
        await using var node = await StartAsync(budget: 0.3);
        var alice = node.Token(sub: "alice", department: "icu");
        var bob = node.Token(role: "nurse", sub: "bob", department: "general");
        var admin = node.Token(role: "admin", sub: "root", department: "it");
        for (var i = 0; i < 3; i++)
        {
            (await node.Http.SendAsync(node.Chat(alice, "phi"))).Dispose();
        }

        (await node.Http.SendAsync(node.Chat(bob, "phi"))).Dispose();

        var own = await GetJsonAsync(node, "/privacy/budgets", bob);
        var rows = own.GetProperty("data").EnumerateArray().ToList();
        Assert.Single(rows);
        Assert.Equal("bob", rows[0].GetProperty("user").GetString());
        Assert.Equal(1, rows[0].GetProperty("queries").GetInt64());

        var all = await GetJsonAsync(node, "/privacy/budgets", admin);
        Assert.Equal(["alice", "bob"], all.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("user").GetString()!).Order().ToArray());
        var icu = await GetJsonAsync(node, "/privacy/budgets?department=icu", admin);
        Assert.Equal("alice", icu.GetProperty("data").EnumerateArray().Single().GetProperty("user").GetString());

        using (var refused = await node.Http.SendAsync(node.Chat(alice, "phi")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        using (var notAdmin = await PostAsync(node, "/privacy/budgets/reset", bob, new { user = "alice", reason = "x" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        using (var reset = await PostAsync(node, "/privacy/budgets/reset", admin, new { user = "alice", reason = "ticket 4711" }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            using var answer = JsonDocument.Parse(await reset.Content.ReadAsStringAsync());
            Assert.Equal("alice", answer.RootElement.GetProperty("user").GetString());
            Assert.Equal(3, answer.RootElement.GetProperty("queries_reset").GetInt64());
            Assert.True(answer.RootElement.GetProperty("epsilon_released").GetDouble() > 0);
            Assert.Equal(node.Node.Ledger.Window.DayKey(DateTimeOffset.UtcNow), answer.RootElement.GetProperty("day").GetString());
        }

        using (var typo = await PostAsync(node, "/privacy/budgets/reset", admin, new { user = "alcie", reason = "ticket 4711" }))
        {
            // Audited like any reset, but the admin sees that it released nothing.
            Assert.Equal(HttpStatusCode.OK, typo.StatusCode);
            using var answer = JsonDocument.Parse(await typo.Content.ReadAsStringAsync());
            Assert.Equal(0, answer.RootElement.GetProperty("queries_reset").GetInt64());
            Assert.Equal(0, answer.RootElement.GetProperty("epsilon_released").GetDouble());
        }

        // Nor does it leave a budget row behind for a name no one uses.
        var listed = await GetJsonAsync(node, "/privacy/budgets", admin);
        Assert.DoesNotContain(listed.GetProperty("data").EnumerateArray(), r => r.GetProperty("user").GetString() == "alcie");

        using (var again = await node.Http.SendAsync(node.Chat(alice, "phi")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var records = await node.Node.Ledger.ReadAuditAsync(0, 10_000);
        Assert.Contains(records, r => r.Entry.Decision == "admin:budget_reset" && r.Entry.UserId == "root");
        Assert.True((await node.Node.Ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Every_request_admitted_or_refused_is_audited_without_prompt_text()
    {
        await using var node = await StartAsync(budget: 0.1);
        var token = node.Token(sub: "dr.audit", department: "general");
        const string secretPrompt = "Patient John Example MRN 99887766 has chest pain";
        (await node.Http.SendAsync(node.Chat(token, "phi", content: secretPrompt))).Dispose();
        (await node.Http.SendAsync(node.Chat(token, "phi", content: secretPrompt))).Dispose(); // refused: budget
        (await node.Http.SendAsync(node.Chat(null, "phi"))).Dispose(); // refused: no token
        (await node.Http.SendAsync(node.Chat(node.Token(role: "visitor"), "public"))).Dispose(); // refused: role

        var records = await node.Node.Ledger.ReadAuditAsync(0, 1000);
        var decisions = records.Select(r => r.Entry.Decision).ToList();
        Assert.Contains("admitted", decisions);
        Assert.Contains("completed", decisions);
        Assert.Contains("refused:insufficient_privacy_budget", decisions);
        Assert.Contains("refused:invalid_api_key", decisions);
        Assert.Contains("refused:permission_denied", decisions);
        var completed = records.First(r => r.Entry.Decision == "completed");
        Assert.Equal("secure", completed.Entry.Backend);
        Assert.True(completed.Entry.CompletionTokens > 0);
        Assert.False(string.IsNullOrEmpty(completed.Entry.PromptHmac));

        await node.Node.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(node.Node.Config.Node.DataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf("99887766"u8) < 0, $"{file} holds prompt text");
        }
    }

    [Fact]
    public async Task Privacy_status_needs_measurement_and_metrics_use_the_seed_names()
    {
        await using var node = await StartAsync(budget: 0.1);
        var token = node.Token(sub: "dr.m", department: "general");
        (await node.Http.SendAsync(node.Chat(token, "phi"))).Dispose();
        (await node.Http.SendAsync(node.Chat(token, "phi"))).Dispose();

        using (var nurse = new HttpRequestMessage(HttpMethod.Get, "/privacy/status"))
        {
            nurse.Headers.Authorization = new("Bearer", node.Token(role: "nurse"));
            using var r = await node.Http.SendAsync(nurse);
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }

        var status = await GetJsonAsync(node, "/privacy/status", node.Token());
        Assert.Equal("basic", status.GetProperty("policy").GetProperty("composition_method").GetString());
        Assert.Equal(1, status.GetProperty("charged_queries_today").GetInt64());
        Assert.Equal(1, status.GetProperty("refusals_for_budget_since_start").GetDouble());

        using var http = new HttpClient();
        var text = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("privacy_violations_total 1", text, StringComparison.Ordinal);
        Assert.Contains("privacy_budget_remaining{department=\"other\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("privacy_budget_remaining{department=\"research\"} 0.3", text, StringComparison.Ordinal);
        Assert.Contains("differential_privacy_epsilon{department=\"other\"} 0.1", text, StringComparison.Ordinal);
        Assert.Contains("audit_events_total{type=\"request\"}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dr.m", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_reset_refreshes_privacy_budget_remaining_without_waiting_for_a_charge()
    {
        await using var node = await StartAsync(budget: 0.1);
        var token = node.Token(sub: "dr.r", department: "general");
        (await node.Http.SendAsync(node.Chat(token, "phi"))).Dispose();
        using var http = new HttpClient();
        var before = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("privacy_budget_remaining{department=\"other\"} 0\n", before, StringComparison.Ordinal);

        using (var reset = await PostAsync(node, "/privacy/budgets/reset", node.Token(role: "admin", sub: "root", department: "it"), new { user = "dr.r", reason = "ticket 17" }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var after = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("privacy_budget_remaining{department=\"other\"} 0.1\n", after, StringComparison.Ordinal);
        Assert.Contains("differential_privacy_epsilon{department=\"other\"} 0\n", after, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> GetJsonAsync(TestNode node, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Theory]
    [InlineData("""{"user":"alice","user":"bob","reason":"x"}""", "user", "invalid_json")]
    [InlineData("""{"user":"alice","reason":"\ud800"}""", "reason", "invalid_json")]
    [InlineData("""{"user":"alice"}""", "'reason' is required", "invalid_request")]
    [InlineData("""{"user":"alice","reason":"   "}""", "'reason' is required", "invalid_request")]
    [InlineData("""{"user":"alice","reason":null}""", "'reason' must be a string", "invalid_request")]
    [InlineData("""{"user":"alice","reason":"ticket 1","extra":1}""", "unknown key 'extra'", "invalid_request")]
    [InlineData("""{"user":["alice"],"reason":"ticket 1"}""", "'user' must be a string", "invalid_request")]
    [InlineData("""{"reason":"ticket 1"}""", "'user' is required", "invalid_request")]
    [InlineData("""["alice","ticket 1"]""", "JSON object", "invalid_json")]
    [InlineData("""{"user":"alice","reason":"ticket 1"} {}""", "not valid JSON", "invalid_json")]
    public async Task A_reset_with_a_repeated_key_or_a_broken_string_is_refused_and_resets_nothing(string body, string named, string code)
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.AllLevels)]);
        var before = (await node.Node.Ledger.ReadAuditAsync(0, 10_000)).Count;

        using var answer = await node.Http.SendAsync(TestNode.Raw("/privacy/budgets/reset", body, node.Token(role: "admin", sub: "it.admin"), classification: null));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        using var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Contains(named, error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(code, error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(before, (await node.Node.Ledger.ReadAuditAsync(0, 10_000)).Count);
    }

    [Fact]
    public async Task A_reset_whose_reason_is_too_long_for_the_audit_record_is_refused_rather_than_cut()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("gpu", TestNode.AllLevels)]);
        var before = (await node.Node.Ledger.ReadAuditAsync(0, 10_000)).Count;
        var admin = node.Token(role: "admin", sub: "it.admin");

        using (var tooLong = await PostAsync(node, "/privacy/budgets/reset", admin, new { user = "alice", reason = new string('r', 201) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
            using var error = JsonDocument.Parse(await tooLong.Content.ReadAsStringAsync());
            Assert.Equal("'reason' is longer than 200 characters", error.RootElement.GetProperty("error").GetProperty("message").GetString());
            Assert.Equal("reason", error.RootElement.GetProperty("error").GetProperty("param").GetString());
        }

        Assert.Equal(before, (await node.Node.Ledger.ReadAuditAsync(0, 10_000)).Count);
        using (var longest = await PostAsync(node, "/privacy/budgets/reset", admin, new { user = "alice", reason = new string('r', 200) }))
        {
            Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
        }

        var records = await node.Node.Ledger.ReadAuditAsync(0, 10_000);
        var reset = Assert.Single(records, r => r.Entry.Decision == "admin:budget_reset");
        Assert.Contains(new string('r', 200), reset.Entry.Detail, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostAsync(TestNode node, string path, string token, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        return node.Http.SendAsync(request);
    }
}
